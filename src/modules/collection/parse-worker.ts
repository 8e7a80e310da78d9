/**
 * Worker-thread entry (started through parse-worker.mjs): parses the files the pool posts, one at a time. pdf.js is
 * loaded once per worker; its CMaps are read from the installed package.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { parentPort } from 'node:worker_threads';
import {
  type ExpandedArchive,
  expandInvoiceArchive,
  isParseFailure,
  type ParsedInvoice,
  type ParseFailureCode,
  parseInvoiceFile,
  warmUpPdf,
} from '../../parse/index.js';

/** Message to the worker. */
export interface ParseRequest {
  readonly id: number;
  readonly bytes: Uint8Array;
  readonly maxBytes: number;
  /** `expand`: the files of a ZIP archive (intake), instead of parsing one invoice file. */
  readonly op?: 'parse' | 'expand';
}

/** Message from the worker. */
export type ParseReply =
  | { readonly id: number; readonly result: ParsedInvoice }
  | { readonly id: number; readonly archive: ExpandedArchive }
  | { readonly id: number; readonly failure: { readonly code: ParseFailureCode; readonly message: string } }
  | { readonly id: number; readonly error: string }
  /** Sent once when the worker has loaded the parser and pdf.js: time limits start counting after it. */
  | { readonly ready: true };

const require = createRequire(import.meta.url);
const cMapUrl = `${path.join(path.dirname(require.resolve('pdfjs-dist/package.json')), 'cmaps')}/`;

const port = parentPort;
if (port) {
  await warmUpPdf();
  port.on('message', async ({ id, bytes, maxBytes, op }: ParseRequest) => {
    let reply: ParseReply;
    try {
      reply =
        op === 'expand'
          ? { id, archive: expandInvoiceArchive(bytes) }
          : { id, result: await parseInvoiceFile(bytes, { cMapUrl, maxBytes }) };
    } catch (err) {
      reply = isParseFailure(err)
        ? { id, failure: { code: err.code, message: err.message } }
        : { id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
    }
    port.postMessage(reply);
  });
  port.postMessage({ ready: true } satisfies ParseReply);
}
