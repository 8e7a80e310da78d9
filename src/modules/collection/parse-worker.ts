/**
 * Parse-worker entry (started through parse-worker.mjs), either as a worker thread (text lane: `parentPort`) or as a
 * forked child process (picture lane: `process.send`, first argument `--openfapiao-parse-child`, the second its
 * ParseWorkerData as JSON); parses the files the pool sends, one at a time. A child exits when its IPC channel closes
 * (the server ended or let it go). pdf.js and
 * the zxing QR reader are loaded once per worker (CMaps and the wasm from the installed packages, never a CDN); the
 * OCR engine (models ≈ 15 MB, onnxruntime) when the pool asks for it (`op: 'ocr'`, before its first picture), when OCR
 * is on. The mail reader (mailparser) only where mails are read: the text lane's threads load it at start, the picture
 * lane's children never.
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
  isScannedPdf,
  type OcrEngine,
  type ParsedInvoice,
  type ParseFailureCode,
  parseInvoiceFile,
  parseInvoicesInFile,
  prepareQrReader,
  sniffFormat,
  warmUpPdf,
} from '../../parse/index.js';
import type { ParsedMail } from './mail/parse-mail.js';
import { loadOcrEngine } from './ocr-engine.js';

/** Message to the worker. */
export interface ParseRequest {
  readonly id: number;
  readonly bytes: Uint8Array;
  readonly maxBytes: number;
  /**
   * `expand`: the files of a ZIP archive (intake), instead of parsing one invoice file; `mail`: a stored raw mail
   * (MIME) read into headers, attachments and link candidates (mail import); `parseAll`: every invoice of the file
   * (a PDF may hold several); `ocr`: load the OCR engine (picture lane; no file, `bytes` empty), answered with `ocr`
   * or `ocrFailing`.
   */
  readonly op?: 'parse' | 'parseAll' | 'expand' | 'mail' | 'ocr';
  /**
   * The pool's OCR engine is waiting out its retry delay after a failed load (the reason): read this file without
   * OCR, noting that it was needed.
   */
  readonly ocrUnavailable?: string;
}

/** The pool's lanes: `text` (PDF text layers, OFD, XML, ZIP, mail) and `picture` (pictures, scanned PDFs). */
export type ParseLane = 'text' | 'picture';

/** Set once per worker at start. */
export interface ParseWorkerData {
  /** Read pictures and scanned PDFs with OCR (COLLECT_OCR). */
  readonly ocr: boolean;
  /** The lane this worker serves: a text-lane worker hands scanned PDFs back (`scanned`) for the picture lane. */
  readonly lane?: ParseLane;
  /** Tests only (ParsePoolOptions.testHooks): obey the test pictures (TEST_HOOK_MARK). */
  readonly testHooks?: boolean;
  /**
   * Tests only (ParsePoolOptions.testOcrSwitch): a file saying `down` makes loading the OCR engine fail, `broken` loads
   * an engine that fails on every picture, `slow:<ms>` takes that long to load an engine that reads nothing.
   */
  readonly testOcrSwitch?: string;
}

/**
 * Tests only: a picture made of the PNG signature followed by `openfapiao-test-hook:hang` (the worker spins forever,
 * as a native addon stuck in a hostile picture would), `openfapiao-test-hook:exit` (the worker process exits, as
 * on a crash) or `openfapiao-test-hook:exit-once:<path>` (exits when no file is at `path` and creates it: the second
 * reading goes on, as an unreadable picture). A worker obeys it only when started with `testHooks`; otherwise it is
 * an unreadable picture.
 */
const TEST_HOOK_MARK = 'openfapiao-test-hook:';

function obeyTestHook(bytes: Uint8Array): void {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 64)).toString('latin1');
  if (text.startsWith(`${TEST_HOOK_MARK}hang`, 8)) for (;;);
  if (text.startsWith(`${TEST_HOOK_MARK}exit-once:`, 8)) {
    const marker = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
      .toString('latin1')
      .slice(8 + `${TEST_HOOK_MARK}exit-once:`.length);
    if (fs.existsSync(marker)) return;
    fs.writeFileSync(marker, 'crashed');
    process.exit(70);
  }
  if (text.startsWith(`${TEST_HOOK_MARK}exit`, 8)) process.exit(70);
}

/** Message from the worker. */
export type ParseReply =
  | { readonly id: number; readonly result: ParsedInvoice }
  | { readonly id: number; readonly archive: ExpandedArchive }
  | { readonly id: number; readonly mail: ParsedMail }
  | { readonly id: number; readonly results: ParsedInvoice[] }
  /** A text-lane worker found a PDF without a usable text layer: the pool moves it to the picture lane. */
  | { readonly id: number; readonly scanned: true }
  /** The OCR engine failed on this file: the pool replaces this process and reads the file once more (parse-pool.ts). */
  | { readonly id: number; readonly crashed: string }
  | {
      readonly id: number;
      readonly failure: {
        readonly code: ParseFailureCode | 'TOO_COMPLEX' | 'OCR_UNAVAILABLE';
        readonly message: string;
      };
    }
  | { readonly id: number; readonly error: string }
  /** The OCR engine is loaded (`loaded`), or not installed (`none`: pictures yield their QR; not an outage). */
  | { readonly id: number; readonly ocr: 'loaded' | 'none' }
  /** The OCR engine could not be loaded (an outage): the reason. */
  | { readonly id: number; readonly ocrFailing: string }
  /** Sent once when the worker has loaded the parser and pdf.js: time limits start counting after it. */
  | { readonly ready: true };

/** Refusals that mean "nothing readable" and so, when OCR was needed and missing, only that OCR was missing. */
const OCR_DEPENDENT: ReadonlySet<ParseFailureCode> = new Set(['NOT_AN_INVOICE', 'NO_TEXT_LAYER']);

const require = createRequire(import.meta.url);
const cMapUrl = `${path.join(path.dirname(require.resolve('pdfjs-dist/package.json')), 'cmaps')}/`;

/**
 * The OCR engine as this worker has it: not loaded yet (undefined), loaded, not installed (`engine: null`: pictures
 * yield their QR), or failing (its models did not load: the reason). The pool asks for the load (`op: 'ocr'`) before
 * the first picture it sends, under a limit of its own, so a file's time limit never counts the load; it keeps the
 * retry delay after a failure and, while it runs, sends files with `ocrUnavailable` (read without OCR). An engine that
 * fails on one picture is that picture's problem, not an outage (`crashed`).
 */
type OcrState = { readonly engine: OcrEngine | null } | { readonly failing: string };
let ocrState: OcrState | undefined;

/** Loads the engine once (the test switch stands for the models, see ParseWorkerData.testOcrSwitch). */
async function loadOcr(data: Partial<ParseWorkerData>): Promise<OcrState> {
  if (ocrState && 'engine' in ocrState) return ocrState;
  try {
    const testSwitch = data.testHooks && data.testOcrSwitch ? readSwitch(data.testOcrSwitch) : '';
    if (testSwitch === 'down') throw new Error('OCR 模型无法加载：test switch down');
    if (testSwitch === 'broken')
      ocrState = {
        engine: {
          name: 'test-broken',
          recognize: async () => {
            throw new Error('test switch broken');
          },
        },
      };
    else if (testSwitch.startsWith('slow:')) {
      // Loads for that many milliseconds, then gives an engine that reads nothing (quickly).
      await new Promise((resolve) => setTimeout(resolve, Number(testSwitch.slice('slow:'.length)) || 0));
      ocrState = { engine: { name: 'test-slow', recognize: async () => [] } };
    } else ocrState = { engine: await loadOcrEngine() };
  } catch (err) {
    ocrState = { failing: err instanceof Error ? err.message : String(err) };
  }
  return ocrState;
}

function readSwitch(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}

/**
 * What a file that needs OCR gets: the engine, guarded (a failure on a picture is noted in `missed.crash` and stops
 * the file: the pool reads it once more in a fresh process), or, while OCR is failing, an engine that only notes
 * that it was needed.
 */
function ocrFor(state: OcrState, missed: { reason: string | null; crash: string | null }) {
  if ('failing' in state)
    return {
      name: 'unavailable',
      recognize: async () => {
        missed.reason = state.failing;
        return [];
      },
    } satisfies OcrEngine;
  const engine = state.engine;
  if (!engine) return undefined;
  return {
    name: engine.name,
    recognize: async (image: Uint8Array) => {
      try {
        return await engine.recognize(image);
      } catch (err) {
        missed.crash = err instanceof Error ? err.message : String(err);
        throw err;
      }
    },
  } satisfies OcrEngine;
}

/** The warning on an invoice read while OCR was unavailable (its QR and text layer only). */
const ocrUnavailableWarning = (reason: string) => ({
  code: 'OCR_UNAVAILABLE' as const,
  message: `图片文字识别暂不可用（${reason.slice(0, 200)}），本次只读取了二维码；稍后将自动重新识别`,
});

/** How this worker talks to the pool: a thread's port, or a forked child's IPC channel. */
interface Channel {
  readonly data: Partial<ParseWorkerData>;
  on(listener: (request: ParseRequest) => void): void;
  postMessage(reply: ParseReply): void;
}

function channelToPool(): Channel | null {
  const thread = parentPort;
  if (thread)
    return {
      data: (workerData ?? {}) as Partial<ParseWorkerData>,
      on: (listener) => thread.on('message', listener),
      postMessage: (reply) => thread.postMessage(reply),
    };
  const send = process.send?.bind(process);
  if (!send || process.argv[2] !== '--openfapiao-parse-child') return null;
  // The pool went away (exit, crash, close): so does this child.
  process.on('disconnect', () => process.exit(0));
  return {
    data: JSON.parse(process.argv[3] ?? '{}') as Partial<ParseWorkerData>,
    on: (listener) => process.on('message', listener),
    postMessage: (reply) => {
      send(reply);
    },
  };
}

/** The mail reader (mail/parse-mail.ts), loaded by the workers that read mails. */
type MailReader = typeof import('./mail/parse-mail.js');

const port = channelToPool();
if (port) {
  const data = port.data;
  // Mails go to the text lane only; a picture-lane child would load mailparser for nothing (it would still load it
  // on a mail, below).
  let mail: MailReader | null = data.lane === 'picture' ? null : await import('./mail/parse-mail.js');
  // libvips: no operation cache across files, one thread per worker (the pool is the parallelism).
  sharp.cache(false);
  sharp.concurrency(1);
  await Promise.all([
    warmUpPdf(),
    prepareQrReader(fs.readFileSync(require.resolve('zxing-wasm/reader/zxing_reader.wasm'))),
  ]);
  port.on(async ({ id, bytes, maxBytes, op, ocrUnavailable }: ParseRequest) => {
    if (op === 'ocr') {
      const state = await loadOcr(data);
      port.postMessage(
        'failing' in state ? { id, ocrFailing: state.failing } : { id, ocr: state.engine ? 'loaded' : 'none' },
      );
      return;
    }
    let reply: ParseReply;
    const missed: { reason: string | null; crash: string | null } = { reason: null, crash: null };
    try {
      if (data.testHooks) obeyTestHook(bytes);
      if (op === 'expand') {
        port.postMessage({ id, archive: expandInvoiceArchive(bytes) } satisfies ParseReply);
        return;
      }
      if (op === 'mail') {
        mail ??= await import('./mail/parse-mail.js');
        port.postMessage({ id, mail: await mail.parseRawMail(bytes, maxBytes) } satisfies ParseReply);
        return;
      }
      let ocr: OcrEngine | undefined;
      const pictureLane = data.lane !== 'text';
      if (data.ocr && pictureLane && (sniffFormat(bytes) === 'image' || sniffFormat(bytes) === 'pdf'))
        // (The pool loads the engine before it sends a picture; a worker driven otherwise loads it here.)
        ocr = ocrFor(ocrUnavailable ? { failing: ocrUnavailable } : (ocrState ?? (await loadOcr(data))), missed);
      const options = {
        cMapUrl,
        maxBytes,
        scannedPdf: pictureLane ? ('read' as const) : ('defer' as const),
        ...(ocr ? { ocr } : {}),
      };
      const mark = (invoice: ParsedInvoice): ParsedInvoice =>
        missed.reason ? { ...invoice, warnings: [...invoice.warnings, ocrUnavailableWarning(missed.reason)] } : invoice;
      reply =
        op === 'parseAll'
          ? { id, results: (await parseInvoicesInFile(bytes, options)).map(mark) }
          : { id, result: mark(await parseInvoiceFile(bytes, options)) };
    } catch (err) {
      reply = isScannedPdf(err)
        ? { id, scanned: true }
        : isParseFailure(err)
          ? { id, failure: { code: err.code, message: err.message } }
          : mail && err instanceof mail.MailRefused
            ? { id, failure: { code: err.code, message: err.message } }
            : { id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
      // Nothing read because OCR was needed and unavailable: temporary, not the file's fault.
      if (missed.reason && isParseFailure(err) && OCR_DEPENDENT.has(err.code))
        reply = {
          id,
          failure: {
            code: 'OCR_UNAVAILABLE',
            message: `图片文字识别暂不可用（${missed.reason.slice(0, 200)}），请稍后重试`,
          },
        };
    }
    // The engine failed on this file (whatever the parser made of it): the pool decides (once more, or too complex).
    if (missed.crash !== null) reply = { id, crashed: missed.crash };
    port.postMessage(reply);
  });
  port.postMessage({ ready: true } satisfies ParseReply);
}
