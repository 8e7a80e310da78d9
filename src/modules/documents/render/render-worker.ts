/**
 * Worker-thread entry (started through render-worker.mjs, which registers tsx): renders invoices posted by the
 * pool. The font is parsed once per worker and stays cached for every later document.
 */
import { parentPort } from 'node:worker_threads';
import { getDocumentFont } from './font/document-font.js';
import type { InvoiceDocument } from './invoice-document.js';
import { renderInvoiceDocuments } from './render-invoice-documents.js';

/** Message to the worker. */
export interface RenderRequest {
  readonly id: number;
  readonly doc: InvoiceDocument;
}

/** Message from the worker: the three files, or an error message. */
export type RenderReply =
  | { readonly id: number; readonly pdf: Uint8Array; readonly ofd: Uint8Array; readonly xml: Uint8Array }
  | { readonly id: number; readonly error: string };

const port = parentPort;
if (port) {
  getDocumentFont();
  port.on('message', ({ id, doc }: RenderRequest) => {
    try {
      const { pdf, ofd, xml } = renderInvoiceDocuments(doc);
      // Copied, not transferred: ~80 KB is cheap to clone, and Buffers may be views on Node's shared pool.
      const reply: RenderReply = { id, pdf, ofd, xml };
      port.postMessage(reply);
    } catch (err) {
      port.postMessage({ id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    }
  });
}
