/**
 * Worker-thread entry (started through render-worker.mjs, which registers tsx): renders invoices posted by the
 * pool. The font is parsed once per worker and stays cached for every later document. When the request names a
 * filesystem blob store, the worker stores the files itself and answers with their addresses only.
 */
import { parentPort } from 'node:worker_threads';
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

/** Address of a stored file. */
export interface StoredBlob {
  readonly sha256: string;
  readonly size: number;
}

/** Message from the worker: the three files, their addresses in the store, or an error message. */
export type RenderReply =
  | { readonly id: number; readonly pdf: Uint8Array; readonly ofd: Uint8Array; readonly xml: Uint8Array }
  | { readonly id: number; readonly stored: { pdf: StoredBlob; ofd: StoredBlob; xml: StoredBlob } }
  | { readonly id: number; readonly error: string };

const port = parentPort;
if (port) {
  getDocumentFont();
  port.on('message', ({ id, doc, storeIn }: RenderRequest) => {
    try {
      const { pdf, ofd, xml } = renderInvoiceDocuments(doc);
      const reply: RenderReply = storeIn
        ? {
            id,
            stored: {
              pdf: putBlobFileSync(storeIn, pdf),
              ofd: putBlobFileSync(storeIn, ofd),
              xml: putBlobFileSync(storeIn, xml),
            },
          }
        : // Copied, not transferred: ~80 KB is cheap to clone, and Buffers may be views on Node's shared pool.
          { id, pdf, ofd, xml };
      port.postMessage(reply);
    } catch (err) {
      port.postMessage({ id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    }
  });
}
