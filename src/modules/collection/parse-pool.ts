/**
 * Worker threads that parse uploaded invoice files, so a hostile file cannot stall the HTTP event loop: each worker
 * has a V8 heap limit (resourceLimits) and each file a time limit; a worker that passes either is terminated (its
 * file is answered as too complex) and replaced on the next file. One file per worker at a time.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { type ExpandedArchive, type ParsedInvoice, type ParseFailureCode, sniffFormat } from '../../parse/index.js';
import type { ParsedMail } from './mail/parse-mail.js';
import type { ParseReply, ParseRequest, ParseWorkerData } from './parse-worker.js';

/** Why the pool could not give a result: the parser's own refusal, or a limit the pool enforced. */
export class ParseRejected extends Error {
  constructor(
    readonly code: ParseFailureCode | 'TOO_COMPLEX',
    message: string,
  ) {
    super(message);
    this.name = 'ParseRejected';
  }
}

export interface ParsePoolOptions {
  readonly size: number;
  /** Time limit per file. */
  readonly timeoutMs: number;
  /** Time limit per picture (QR search and OCR take longer than reading a PDF). */
  readonly imageTimeoutMs?: number;
  /** Read pictures with OCR too (COLLECT_OCR); default true. */
  readonly ocr?: boolean;
  /** Old-generation heap limit of each worker. */
  readonly maxHeapMb: number;
  readonly maxFileBytes: number;
}

interface Job {
  readonly bytes: Uint8Array;
  readonly op: 'parse' | 'parseAll' | 'expand' | 'mail';
  /** Size limit of this job (default: maxFileBytes). */
  readonly maxBytes?: number;
  resolve(result: ParsedInvoice | ParsedInvoice[] | ExpandedArchive | ParsedMail): void;
  reject(err: Error): void;
}

interface Slot {
  readonly worker: Worker;
  /** Set when the worker said it has loaded the parser: it takes files from then on. */
  ready: boolean;
  job: (Job & { id: number; timer: NodeJS.Timeout }) | null;
}

export class ParsePool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 0;

  constructor(private readonly options: ParsePoolOptions) {}

  /** Parses one file on a worker thread. Rejects with ParseRejected for refused files, Error for crashes. */
  parse(bytes: Uint8Array): Promise<ParsedInvoice> {
    return new Promise((resolve, reject) => {
      this.queue.push({ bytes, op: 'parse', resolve: resolve as Job['resolve'], reject });
      this.dispatch();
    });
  }

  /**
   * Every invoice of one file, on a worker thread: a PDF holding several (a merged print, invoices concatenated)
   * gives one per invoice (src/parse parseInvoicesInFile), any other file one.
   */
  parseAll(bytes: Uint8Array): Promise<ParsedInvoice[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ bytes, op: 'parseAll', resolve: resolve as Job['resolve'], reject });
      this.dispatch();
    });
  }

  /**
   * The files of a ZIP archive (src/parse/archive.ts), read on a worker thread under the same time and memory limits.
   * Rejects with ParseRejected when the archive itself is refused (corrupt, ZIP-bomb limits).
   */
  expand(bytes: Uint8Array): Promise<ExpandedArchive> {
    return new Promise((resolve, reject) => {
      this.queue.push({ bytes, op: 'expand', resolve: resolve as Job['resolve'], reject });
      this.dispatch();
    });
  }

  /**
   * A stored raw mail read on a worker thread (mailparser) under the same time and memory limits, at most `maxBytes`
   * long: sender, subject, attachments (bytes) and the link candidates of its bodies. Rejects with ParseRejected
   * (`TOO_COMPLEX`) for a mail refused by size or shape or stopped by a limit.
   */
  parseMail(raw: Uint8Array, maxBytes: number): Promise<ParsedMail> {
    return new Promise((resolve, reject) => {
      this.queue.push({ bytes: raw, op: 'mail', maxBytes, resolve: resolve as Job['resolve'], reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    const slots = this.slots.splice(0);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const slot = this.slots.find((s) => s.ready && s.job === null);
      if (!slot) {
        // Start another worker while below size; the queue waits for the first one that is ready.
        if (!this.slots.some((s) => !s.ready)) this.spawn();
        return;
      }
      const job = this.queue.shift() as Job;
      const id = ++this.nextId;
      const limit =
        job.op !== 'mail' && sniffFormat(job.bytes) === 'image'
          ? (this.options.imageTimeoutMs ?? this.options.timeoutMs)
          : this.options.timeoutMs;
      const timer = setTimeout(() => {
        this.kill(slot, new ParseRejected('TOO_COMPLEX', `文件解析超过 ${limit / 1000} 秒，已停止`));
      }, limit);
      slot.job = { ...job, id, timer };
      slot.worker.ref();
      const maxBytes = job.maxBytes ?? this.options.maxFileBytes;
      const request: ParseRequest = { id, bytes: job.bytes, maxBytes, op: job.op };
      slot.worker.postMessage(request);
    }
  }

  private spawn(): Slot | null {
    if (this.slots.length >= this.options.size) return null;
    const workerData: ParseWorkerData = { ocr: this.options.ocr ?? true };
    const worker = new Worker(new URL('./parse-worker.mjs', import.meta.url), {
      workerData,
      resourceLimits: { maxOldGenerationSizeMb: this.options.maxHeapMb, maxYoungGenerationSizeMb: 32 },
    });
    // Held while starting (the queue waits on it), released when idle.
    const slot: Slot = { worker, ready: false, job: null };
    worker.on('message', (reply: ParseReply) => this.finish(slot, reply));
    worker.on('error', (err) => {
      const oom = /ERR_WORKER_OUT_OF_MEMORY|heap/i.test(`${(err as { code?: string }).code ?? ''} ${err.message}`);
      this.kill(slot, oom ? new ParseRejected('TOO_COMPLEX', '文件解析超出内存限制，已停止') : err);
    });
    worker.on('exit', (code) => this.kill(slot, new Error(`parse worker exited with code ${code}`)));
    this.slots.push(slot);
    return slot;
  }

  private finish(slot: Slot, reply: ParseReply): void {
    if ('ready' in reply) {
      slot.ready = true;
      if (this.queue.length === 0) slot.worker.unref();
      this.dispatch();
      return;
    }
    const job = slot.job;
    if (!job || job.id !== reply.id) return;
    clearTimeout(job.timer);
    slot.job = null;
    slot.worker.unref();
    if ('result' in reply) job.resolve(reply.result);
    else if ('archive' in reply) job.resolve(reply.archive);
    else if ('mail' in reply) job.resolve(reply.mail);
    else if ('results' in reply) job.resolve(reply.results);
    else if ('failure' in reply) job.reject(new ParseRejected(reply.failure.code, reply.failure.message));
    else job.reject(new Error(`parse failed: ${reply.error}`));
    this.dispatch();
  }

  /** Ends a worker (time or memory limit, crash): its file fails, a fresh worker takes the next one. */
  private kill(slot: Slot, err: Error): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    this.slots.splice(index, 1);
    const job = slot.job;
    slot.job = null;
    if (job) {
      clearTimeout(job.timer);
      job.reject(err);
    }
    void slot.worker.terminate();
    this.dispatch();
  }
}

/** Limits of the process-wide pool. */
export const PARSE_LIMITS = {
  maxFileBytes: 20 * 1024 * 1024,
  timeoutMs: 10_000,
  imageTimeoutMs: 30_000,
  maxHeapMb: 384,
} as const;

let shared: ParsePool | undefined;
let ocrSetting = true;

/**
 * Sets COLLECT_OCR for the process-wide pool (the app calls it at start, before the first file); a pool already
 * started is replaced on the next call to {@link getParsePool}.
 */
export function configureParsePool(options: { readonly ocr: boolean }): void {
  if (options.ocr === ocrSetting) return;
  ocrSetting = options.ocr;
  const old = shared;
  shared = undefined;
  void old?.close();
}

/** The process-wide pool: up to 2 workers (parsing is bursty; rendering has its own pool). */
export function getParsePool(): ParsePool {
  shared ??= new ParsePool({
    size: Math.max(1, Math.min(2, os.availableParallelism())),
    ...PARSE_LIMITS,
    ocr: ocrSetting,
  });
  return shared;
}
