/**
 * Worker-thread entry (started through render-worker.mjs, which registers tsx): renders invoices posted by the
 * pool. The font is parsed once per worker and stays cached for every later document. When the request names a
 * filesystem blob store, the worker packs the files into one blob (document-bundle.ts), stores it itself and answers
 * with the addresses only.
 */
import { parentPort } from 'node:worker_threads';
import { type PackedDocuments, packDocuments } from '../storage/document-bundle.js';
import { putBlobFileSync } from '../storage/fs-blob-store.js';
import { getDocumentFont } from './font/document-font.js';
import type { InvoiceDocument } from './invoice-document.js';
import { renderInvoiceDocuments } from './render-invoice-documents.js';

/** Message to the worker. */
export interface RenderRequest {
  readonly id: number;
  readonly doc: InvoiceDocument;
  /** Root of a filesystem blob store to write the files to; absent: send the bytes back. */
  readonly storeIn?: string;
}

/** Message from the worker: the three files, their addresses in the store, or an error message. */
export type RenderReply =
  | { readonly id: number; readonly pdf: Uint8Array; readonly ofd: Uint8Array; readonly xml: Uint8Array }
  | { readonly id: number; readonly stored: PackedDocuments<'pdf' | 'ofd' | 'xml'> }
  | { readonly id: number; readonly error: string };

const port = parentPort;
if (port) {
  getDocumentFont();
  port.on('message', ({ id, doc, storeIn }: RenderRequest) => {
    try {
      const { pdf, ofd, xml } = renderInvoiceDocuments(doc);
      let reply: RenderReply;
      if (storeIn) {
        const { bytes, packed } = packDocuments({ pdf, ofd, xml });
        putBlobFileSync(storeIn, bytes);
        reply = { id, stored: packed };
      } else {
        // Copied, not transferred: ~80 KB is cheap to clone, and Buffers may be views on Node's shared pool.
        reply = { id, pdf, ofd, xml };
      }
      port.postMessage(reply);
    } catch (err) {
      port.postMessage({ id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    }
  });
}
