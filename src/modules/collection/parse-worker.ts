/**
 * Worker-thread entry (started through parse-worker.mjs): parses the files the pool posts, one at a time. pdf.js and
 * the zxing QR reader are loaded once per worker (CMaps and the wasm from the installed packages, never a CDN); the
 * OCR engine (models ≈ 15 MB, onnxruntime) on the first picture, when OCR is on.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import sharp from 'sharp';
import {
  type ExpandedArchive,
  expandInvoiceArchive,
  isParseFailure,
  type OcrEngine,
  type ParsedInvoice,
  type ParseFailureCode,
  parseInvoiceFile,
  parseInvoicesInFile,
  prepareQrReader,
  sniffFormat,
  warmUpPdf,
} from '../../parse/index.js';
import { MailRefused, type ParsedMail, parseRawMail } from './mail/parse-mail.js';
import { loadOcrEngine } from './ocr-engine.js';

/** Message to the worker. */
export interface ParseRequest {
  readonly id: number;
  readonly bytes: Uint8Array;
  readonly maxBytes: number;
  /**
   * `expand`: the files of a ZIP archive (intake), instead of parsing one invoice file; `mail`: a stored raw mail
   * (MIME) read into headers, attachments and link candidates (mail import); `parseAll`: every invoice of the file
   * (a PDF may hold several).
   */
  readonly op?: 'parse' | 'parseAll' | 'expand' | 'mail';
}

/** Set once per worker at start. */
export interface ParseWorkerData {
  /** Read pictures with OCR (COLLECT_OCR). */
  readonly ocr: boolean;
}

/** Message from the worker. */
export type ParseReply =
  | { readonly id: number; readonly result: ParsedInvoice }
  | { readonly id: number; readonly archive: ExpandedArchive }
  | { readonly id: number; readonly mail: ParsedMail }
  | { readonly id: number; readonly results: ParsedInvoice[] }
  | {
      readonly id: number;
      readonly failure: { readonly code: ParseFailureCode | 'TOO_COMPLEX'; readonly message: string };
    }
  | { readonly id: number; readonly error: string }
  /** Sent once when the worker has loaded the parser and pdf.js: time limits start counting after it. */
  | { readonly ready: true };

const require = createRequire(import.meta.url);
const cMapUrl = `${path.join(path.dirname(require.resolve('pdfjs-dist/package.json')), 'cmaps')}/`;

let ocrEngine: Promise<OcrEngine | null> | null = null;

const port = parentPort;
if (port) {
  const data = (workerData ?? {}) as Partial<ParseWorkerData>;
  // libvips: no operation cache across files, one thread per worker (the pool is the parallelism).
  sharp.cache(false);
  sharp.concurrency(1);
  await Promise.all([
    warmUpPdf(),
    prepareQrReader(fs.readFileSync(require.resolve('zxing-wasm/reader/zxing_reader.wasm'))),
  ]);
  port.on('message', async ({ id, bytes, maxBytes, op }: ParseRequest) => {
    let reply: ParseReply;
    try {
      if (op === 'expand') {
        port.postMessage({ id, archive: expandInvoiceArchive(bytes) } satisfies ParseReply);
        return;
      }
      if (op === 'mail') {
        port.postMessage({ id, mail: await parseRawMail(bytes, maxBytes) } satisfies ParseReply);
        return;
      }
      let ocr: OcrEngine | undefined;
      if (data.ocr && sniffFormat(bytes) === 'image') {
        ocrEngine ??= loadOcrEngine();
        ocr = (await ocrEngine) ?? undefined;
      }
      const options = { cMapUrl, maxBytes, ...(ocr ? { ocr } : {}) };
      reply =
        op === 'parseAll'
          ? { id, results: await parseInvoicesInFile(bytes, options) }
          : { id, result: await parseInvoiceFile(bytes, options) };
    } catch (err) {
      reply = isParseFailure(err)
        ? { id, failure: { code: err.code, message: err.message } }
        : err instanceof MailRefused
          ? { id, failure: { code: err.code, message: err.message } }
          : { id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
    }
    port.postMessage(reply);
  });
  port.postMessage({ ready: true } satisfies ParseReply);
}
