/**
 * Workers that parse uploaded invoice files, so a hostile file cannot stall the HTTP event loop: each worker has a V8
 * heap limit and each file a time limit; a worker that passes either is ended (its file is answered as too complex)
 * and replaced on the next file. One file per worker at a time.
 *
 * Two lanes, each with its own workers and queue, so pictures never delay text: the **text lane** reads PDFs with a
 * text layer, OFD, XML, ZIP archives and mails (milliseconds each); the **picture lane** reads pictures and scanned
 * PDFs (QR search and OCR, seconds each). A PDF goes to the text lane first; when its worker finds no usable text
 * layer (a scan) it hands the file back and the pool moves it to the picture lane. The picture lane's queue is
 * bounded for callers that ask for it (the parse-only route sheds load with `INVOICE_FILE_PARSE_BUSY`); intake
 * waits (its own concurrency bounds what it queues).
 *
 * The text lane runs on worker threads (pure JavaScript: `terminate()` is safe). The picture lane runs in **child
 * processes** (`child_process.fork` of the same entry, IPC with the structured-clone serialization): its work sits
 * in native addons (sharp/libvips, onnxruntime-node), and terminating a worker thread inside native code can abort
 * the whole process (N-API "Entering the V8 API without proper locking", onnxruntime#13086). A child is ended with
 * SIGKILL and whatever it was doing dies with it. A child that crashes on a file (or whose OCR engine fails on it)
 * counts against that file: the file is read once more in a fresh child, and a second crash fails it as too complex;
 * only a child that cannot start (the OCR/image runtime failing to load) is an outage (OCR_UNAVAILABLE).
 * A picture child loads the OCR engine when the pool asks, before its first picture, under a limit of its own
 * (`ocrLoadTimeoutMs`): the file's time limit starts when the engine is ready, so a slow load is never reported as a
 * too-complex picture. A load that fails or runs past its limit is an OCR outage: the lane reads pictures without OCR
 * for a retry delay that doubles per failure in a row, then loads again (before the next picture, not in its time).
 * Children get an empty environment (no secrets of the server) and exit when their IPC channel closes.
 */
import { type ChildProcess, fork } from 'node:child_process';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { type ExpandedArchive, type ParsedInvoice, type ParseFailureCode, sniffFormat } from '../../parse/index.js';
import type { ParsedMail } from './mail/parse-mail.js';
import type { ParseLane, ParseReply, ParseRequest, ParseWorkerData } from './parse-worker.js';

/**
 * Why the pool could not give a result: the parser's own refusal, a limit the pool enforced (`TOO_COMPLEX`: time,
 * memory, or the picture process crashed on the file twice), or a temporary state of the pool: `BUSY` (the picture
 * lane's queue is full), `CLOSED` (the pool was closed while the file waited or was read: the server is stopping),
 * `OCR_UNAVAILABLE` (the file needs OCR and the engine cannot be loaded, or the picture lane's process cannot start).
 * The temporary ones say nothing about the file: ask again later.
 */
export class ParseRejected extends Error {
  constructor(
    readonly code: ParseFailureCode | 'TOO_COMPLEX' | 'BUSY' | 'CLOSED' | 'OCR_UNAVAILABLE',
    message: string,
  ) {
    super(message);
    this.name = 'ParseRejected';
  }
}

export interface ParsePoolOptions {
  /** Workers of the text lane (PDF text layers, OFD, XML, ZIP, mail). */
  readonly size: number;
  /** Workers of the picture lane (pictures and scanned PDFs: QR search, OCR); default 1. */
  readonly pictureSize?: number;
  /** Pictures and scanned PDFs waiting at most in the picture lane for callers that shed load (default 32). */
  readonly pictureQueueMax?: number;
  /** Time limit per file. */
  readonly timeoutMs: number;
  /**
   * Time limit per picture or scanned PDF (QR search and OCR take longer than reading a PDF); it starts when the
   * picture process has its OCR engine (or knows it is unavailable), never counting the engine's load.
   */
  readonly imageTimeoutMs?: number;
  /**
   * Time limit of loading the OCR engine in a picture process (default {@link PARSE_LIMITS}.ocrLoadTimeoutMs): past
   * it the process is ended and the load counts as failed (an outage: pictures are read without OCR meanwhile).
   */
  readonly ocrLoadTimeoutMs?: number;
  /**
   * First delay before the OCR engine is loaded again after a failed load; it doubles per failure in a row, up to
   * {@link MAX_OCR_RETRY_MS} (or this delay when longer). Default {@link FIRST_OCR_RETRY_MS}.
   */
  readonly ocrRetryDelayMs?: number;
  /** Read pictures and scanned PDFs with OCR too (COLLECT_OCR); default true. */
  readonly ocr?: boolean;
  /** Old-generation heap limit of each worker. */
  readonly maxHeapMb: number;
  readonly maxFileBytes: number;
  /**
   * Tests only: the picture lane's children obey the test pictures of parse-worker.ts (`TEST_HOOK_MARK`: hang,
   * exit), so a test can stand for a native addon that hangs or crashes.
   */
  readonly testHooks?: boolean;
  /**
   * Tests only (with `testHooks`): a file whose content switches the picture lane's OCR engine: `down` makes loading
   * the engine fail (as with its models missing), `broken` gives an engine that fails on every picture, `slow:<ms>`
   * takes that long to load an engine that reads nothing, anything else (or no file) loads the real engine.
   */
  readonly testOcrSwitch?: string;
}

type Op = 'parse' | 'parseAll' | 'expand' | 'mail';

interface Job {
  readonly bytes: Uint8Array;
  readonly op: Op;
  /** Size limit of this job (default: maxFileBytes). */
  readonly maxBytes?: number;
  /** The caller sheds load: a full picture queue refuses the file (BUSY), also when a scanned PDF moves there. */
  readonly shed?: boolean;
  /** Milliseconds a scanned PDF already spent on the text lane: its picture budget is what is left of one budget. */
  readonly spentMs?: number;
  /** The picture process crashed on this file once already: the next crash fails it (TOO_COMPLEX). */
  readonly crashed?: boolean;
  /** The OCR engine was loaded for this file and failed (or ran past its limit): its read spent a real try. */
  readonly ocrTried?: boolean;
  /** Where the pool tells the caller how OCR went for this file (ParseCallOptions.ocrNote). */
  readonly ocrNote?: OcrNote;
  resolve(result: ParsedInvoice | ParsedInvoice[] | ExpandedArchive | ParsedMail): void;
  reject(err: Error): void;
}

/** A worker thread or a child process, as the pool drives it. */
interface Endpoint {
  send(request: ParseRequest): void;
  /** Keep the process alive while the worker starts or reads a file; release it when idle. */
  hold(): void;
  release(): void;
  /** Ends the worker now (thread: terminate; child: SIGKILL). */
  stop(): Promise<void>;
}

interface Slot {
  readonly worker: Endpoint;
  /** Set when the worker said it has loaded the parser: it takes files from then on. */
  ready: boolean;
  /**
   * The picture process's OCR engine: not loaded (yet, or its load failed), loaded, or not installed (pictures yield
   * their QR; not an outage).
   */
  engine: 'unloaded' | 'loaded' | 'none';
  /** The file being read, or (`loading`) the file waiting for the OCR engine this worker is loading for it. */
  job: (Job & { id: number; timer: NodeJS.Timeout; startedAt: number; loading?: true }) | null;
}

/**
 * How OCR went for one file, filled in by the pool: `retryInMs` is set when the file was read without OCR because
 * the engine was waiting out its retry delay after a failed load (no load was tried for this file): the
 * milliseconds until the lane loads it again. `null` when OCR was there, or a load was tried for the file and failed.
 */
export interface OcrNote {
  retryInMs: number | null;
}

/** Options of one parse call. */
export interface ParseCallOptions {
  /** Refuse with ParseRejected('BUSY') instead of queueing when the picture lane's queue is full. */
  readonly shed?: boolean;
  /** Filled in with how OCR went for the file (see {@link OcrNote}). */
  readonly ocrNote?: OcrNote;
}

/** What a lane is doing (tests, diagnostics). */
export interface LaneState {
  readonly workers: number;
  readonly busy: number;
  readonly queued: number;
}

class Lane {
  readonly slots: Slot[] = [];
  readonly queue: Job[] = [];
  /** Workers of this lane that crashed in a row: the next one starts after a doubling delay. */
  crashes = 0;
  /** No worker is started before this time (Date.now()), after a crash. */
  respawnAt = 0;
  respawnTimer: NodeJS.Timeout | null = null;
  /** Failed loads of the OCR engine in a row; no load is tried before `ocrRetryAt` (Date.now()), why in `ocrReason`. */
  ocrFailures = 0;
  ocrRetryAt = 0;
  ocrReason = '';

  constructor(
    readonly name: ParseLane,
    readonly size: number,
    readonly timeoutMs: number,
  ) {}

  state(): LaneState {
    return { workers: this.slots.length, busy: this.slots.filter((s) => s.job).length, queued: this.queue.length };
  }
}

export class ParsePool {
  private readonly text: Lane;
  private readonly picture: Lane;
  private nextId = 0;
  private closed = false;

  constructor(private readonly options: ParsePoolOptions) {
    this.text = new Lane('text', Math.max(1, options.size), options.timeoutMs);
    this.picture = new Lane(
      'picture',
      Math.max(1, options.pictureSize ?? 1),
      options.imageTimeoutMs ?? options.timeoutMs,
    );
  }

  /** Parses one file on a worker thread. Rejects with ParseRejected for refused files, Error for crashes. */
  parse(bytes: Uint8Array, call: ParseCallOptions = {}): Promise<ParsedInvoice> {
    return this.enqueue(bytes, 'parse', call) as Promise<ParsedInvoice>;
  }

  /**
   * Every invoice of one file, on a worker thread: a PDF holding several (a merged print, invoices concatenated, a
   * multi-page scan) gives one per invoice (src/parse parseInvoicesInFile), any other file one.
   */
  parseAll(bytes: Uint8Array, call: ParseCallOptions = {}): Promise<ParsedInvoice[]> {
    return this.enqueue(bytes, 'parseAll', call) as Promise<ParsedInvoice[]>;
  }

  /**
   * The files of a ZIP archive (src/parse/archive.ts), read on a worker thread under the same time and memory limits.
   * Rejects with ParseRejected when the archive itself is refused (corrupt, ZIP-bomb limits).
   */
  expand(bytes: Uint8Array): Promise<ExpandedArchive> {
    return this.enqueue(bytes, 'expand', {}) as Promise<ExpandedArchive>;
  }

  /**
   * A stored raw mail read on a worker thread (mailparser) under the same time and memory limits, at most `maxBytes`
   * long: sender, subject, attachments (bytes) and the link candidates of its bodies. Rejects with ParseRejected
   * (`TOO_COMPLEX`) for a mail refused by size or shape or stopped by a limit.
   */
  parseMail(raw: Uint8Array, maxBytes: number): Promise<ParsedMail> {
    return this.enqueue(raw, 'mail', {}, maxBytes) as Promise<ParsedMail>;
  }

  /** What each lane is doing: workers started, files being read, files waiting. */
  state(): { readonly text: LaneState; readonly picture: LaneState } {
    return { text: this.text.state(), picture: this.picture.state() };
  }

  /**
   * Ends every worker. Files waiting or being read are rejected with ParseRejected('CLOSED') (never left hanging),
   * and so is every file asked for afterwards.
   */
  async close(): Promise<void> {
    this.closed = true;
    const slots: Slot[] = [];
    for (const lane of [this.text, this.picture]) {
      if (lane.respawnTimer) clearTimeout(lane.respawnTimer);
      lane.respawnTimer = null;
      for (const job of lane.queue.splice(0)) job.reject(stopped());
      for (const slot of lane.slots.splice(0)) {
        const job = slot.job;
        slot.job = null;
        if (job) {
          clearTimeout(job.timer);
          job.reject(stopped());
        }
        slots.push(slot);
      }
    }
    await Promise.all(slots.map((s) => s.worker.stop()));
  }

  private enqueue(bytes: Uint8Array, op: Op, call: ParseCallOptions, maxBytes?: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.closed) {
        reject(stopped());
        return;
      }
      const isPicture = (op === 'parse' || op === 'parseAll') && sniffFormat(bytes) === 'image';
      const lane = isPicture ? this.picture : this.text;
      if (isPicture && call.shed && this.pictureFull()) {
        reject(busy());
        return;
      }
      const job: Job = {
        bytes,
        op,
        resolve: resolve as Job['resolve'],
        reject,
        ...(maxBytes ? { maxBytes } : {}),
        ...(call.shed ? { shed: true } : {}),
        ...(call.ocrNote ? { ocrNote: call.ocrNote } : {}),
      };
      if (call.ocrNote) call.ocrNote.retryInMs = null;
      lane.queue.push(job);
      this.dispatch(lane);
    });
  }

  private pictureFull(): boolean {
    return this.picture.queue.length >= (this.options.pictureQueueMax ?? 32);
  }

  private dispatch(lane: Lane): void {
    while (lane.queue.length > 0) {
      const slot = lane.slots.find((s) => s.ready && s.job === null);
      if (!slot) {
        // Start another worker while below size; the queue waits for the first one that is ready.
        if (!lane.slots.some((s) => !s.ready)) this.spawnSoon(lane);
        return;
      }
      const job = lane.queue.shift() as Job;
      if (this.ocrOn(lane) && slot.engine === 'unloaded' && Date.now() >= lane.ocrRetryAt)
        this.loadOcr(lane, slot, job);
      else this.start(lane, slot, job);
    }
  }

  /** Whether this lane's workers read with OCR (the picture lane, with COLLECT_OCR on). */
  private ocrOn(lane: Lane): boolean {
    return lane.name === 'picture' && (this.options.ocr ?? true);
  }

  /**
   * Asks the picture process to load its OCR engine before it reads `job`, under the load's own limit: the file's
   * time starts only when the engine is there (or known to be unavailable).
   */
  private loadOcr(lane: Lane, slot: Slot, job: Job): void {
    const id = ++this.nextId;
    const limit = this.options.ocrLoadTimeoutMs ?? PARSE_LIMITS.ocrLoadTimeoutMs;
    const timer = setTimeout(() => {
      this.kill(lane, slot, new OcrLoadFailed(`文字识别引擎加载超过 ${limit / 1000} 秒`));
    }, limit);
    slot.job = { ...job, id, timer, startedAt: Date.now(), loading: true };
    slot.worker.hold();
    slot.worker.send({ id, bytes: new Uint8Array(0), maxBytes: 0, op: 'ocr' } satisfies ParseRequest);
  }

  /** A failed load of the OCR engine: no load is tried again before a delay that doubles per failure in a row. */
  private ocrFailed(lane: Lane, reason: string): void {
    lane.ocrFailures++;
    const first = this.options.ocrRetryDelayMs ?? FIRST_OCR_RETRY_MS;
    const delay = Math.min(Math.max(first, MAX_OCR_RETRY_MS), first * 2 ** Math.min(lane.ocrFailures - 1, 20));
    lane.ocrRetryAt = Date.now() + delay;
    lane.ocrReason = reason.slice(0, 300) || 'OCR 引擎不可用';
  }

  /** Sends `job` to the worker, its time limit running from now. */
  private start(lane: Lane, slot: Slot, job: Job): void {
    const id = ++this.nextId;
    const limit = lane.timeoutMs;
    // A scanned PDF has one budget for the whole file: what its text-lane look took is spent already.
    const budget = Math.max(1, limit - (job.spentMs ?? 0));
    const timer = setTimeout(() => {
      this.kill(lane, slot, new ParseRejected('TOO_COMPLEX', `文件解析超过 ${limit / 1000} 秒，已停止`));
    }, budget);
    slot.job = { ...job, id, timer, startedAt: Date.now() };
    slot.worker.hold();
    const maxBytes = job.maxBytes ?? this.options.maxFileBytes;
    // No engine in this process: its load failed for this file, or the lane waits out the retry delay after a failed
    // load (then the caller hears when the next load comes: the file's read did not try OCR).
    const unavailable = this.ocrOn(lane) && slot.engine === 'unloaded';
    if (job.ocrNote)
      job.ocrNote.retryInMs = unavailable && !job.ocrTried ? Math.max(0, lane.ocrRetryAt - Date.now()) : null;
    const request: ParseRequest = {
      id,
      bytes: job.bytes,
      maxBytes,
      op: job.op,
      ...(unavailable ? { ocrUnavailable: lane.ocrReason || 'OCR 引擎不可用' } : {}),
    };
    slot.worker.send(request);
  }

  /** Starts a worker now, or once the lane's delay after a crash has passed. */
  private spawnSoon(lane: Lane): void {
    if (this.closed || lane.respawnTimer) return;
    const wait = lane.respawnAt - Date.now();
    if (wait <= 0) {
      this.spawn(lane);
      return;
    }
    lane.respawnTimer = setTimeout(() => {
      lane.respawnTimer = null;
      this.dispatch(lane);
    }, wait);
  }

  private spawn(lane: Lane): Slot | null {
    if (lane.slots.length >= lane.size) return null;
    const workerData: ParseWorkerData = {
      ocr: this.options.ocr ?? true,
      lane: lane.name,
      ...(this.options.testHooks ? { testHooks: true } : {}),
      ...(this.options.testHooks && this.options.testOcrSwitch ? { testOcrSwitch: this.options.testOcrSwitch } : {}),
    };
    const slot: Slot = { worker: null as unknown as Endpoint, ready: false, engine: 'unloaded', job: null };
    const events: WorkerEvents = {
      message: (reply) => this.finish(lane, slot, reply),
      error: (err) => this.kill(lane, slot, err),
    };
    // Held while starting (the queue waits on it), released when idle.
    (slot as { worker: Endpoint }).worker =
      lane.name === 'picture'
        ? forkChild(workerData, this.options.maxHeapMb, events)
        : startThread(workerData, this.options.maxHeapMb, events);
    lane.slots.push(slot);
    return slot;
  }

  private finish(lane: Lane, slot: Slot, reply: ParseReply): void {
    if ('ready' in reply) {
      slot.ready = true;
      if (lane.queue.length === 0) slot.worker.release();
      this.dispatch(lane);
      return;
    }
    const job = slot.job;
    if (!job || job.id !== reply.id) return;
    clearTimeout(job.timer);
    slot.job = null;
    slot.worker.release();
    // A worker that answered is healthy: the lane's crash backoff starts over.
    lane.crashes = 0;
    lane.respawnAt = 0;
    if ('ocr' in reply || 'ocrFailing' in reply) {
      // The engine is loaded (or not installed), or its load failed: the file it was loaded for is read now.
      const { id: _id, timer: _timer, startedAt: _startedAt, loading: _loading, ...file } = job;
      if ('ocr' in reply) {
        slot.engine = reply.ocr;
        lane.ocrFailures = 0;
        lane.ocrRetryAt = 0;
        this.start(lane, slot, file);
      } else {
        this.ocrFailed(lane, reply.ocrFailing);
        this.start(lane, slot, { ...file, ocrTried: true });
      }
      this.dispatch(lane);
      return;
    }
    if ('scanned' in reply) {
      // A PDF without a usable text layer: its pages are pictures, read on the picture lane under the same bound as
      // pictures (a shedding caller is refused when the queue is full) and with what is left of one time budget.
      const { id: _id, timer: _timer, startedAt, ...moved } = job;
      if (moved.shed && this.pictureFull()) job.reject(busy());
      else {
        this.picture.queue.push({ ...moved, spentMs: Date.now() - startedAt });
        this.dispatch(this.picture);
      }
    } else if ('result' in reply) job.resolve(reply.result);
    else if ('archive' in reply) job.resolve(reply.archive);
    else if ('mail' in reply) job.resolve(reply.mail);
    else if ('results' in reply) job.resolve(reply.results);
    else if ('crashed' in reply) {
      // The OCR engine failed on this file: as a crash, the child is replaced and the file read once more.
      slot.job = job;
      this.kill(lane, slot, new WorkerCrash(`文字识别出错（${reply.crashed.slice(0, 200)}）`));
      return;
    } else if ('failure' in reply) job.reject(new ParseRejected(reply.failure.code, reply.failure.message));
    else job.reject(new Error(`parse failed: ${reply.error}`));
    this.dispatch(lane);
  }

  /** Ends a worker (time or memory limit, crash): its file fails, a fresh worker takes the next one. */
  private kill(lane: Lane, slot: Slot, err: Error): void {
    const index = lane.slots.indexOf(slot);
    if (index < 0) return;
    lane.slots.splice(index, 1);
    const job = slot.job;
    slot.job = null;
    if (err instanceof WorkerCrash) {
      // A crash (not a limit): the next worker starts after a doubling delay (0.5 s, 1 s, 2 s … at most 30 s).
      lane.crashes++;
      lane.respawnAt = Date.now() + Math.min(MAX_RESPAWN_DELAY_MS, FIRST_RESPAWN_DELAY_MS * 2 ** (lane.crashes - 1));
    }
    if (job?.loading) {
      // Ended while it loaded the OCR engine (past the load's limit, or the runtime crashed): an OCR outage, not the
      // file's fault. The file is read first in line, in a fresh process, without OCR until the retry delay ends.
      clearTimeout(job.timer);
      this.ocrFailed(lane, err.message);
      const { id: _id, timer: _timer, startedAt: _startedAt, loading: _loading, ...again } = job;
      lane.queue.unshift({ ...again, ocrTried: true });
    } else if (job) {
      clearTimeout(job.timer);
      if (!(err instanceof WorkerCrash)) job.reject(err);
      else if (job.crashed)
        job.reject(new ParseRejected('TOO_COMPLEX', `文件两次使图片识别进程出错（${err.message}），已停止`));
      else {
        // Once more, first in line, in a fresh process: a crash counts against the file, not the engine.
        const { id: _id, timer: _timer, startedAt: _startedAt, ...again } = job;
        lane.queue.unshift({ ...again, crashed: true });
      }
    } else if (!slot.ready) {
      // Ended before it could take a file (its entry failed to load): the first waiting file fails with it, so a
      // worker that cannot start is not restarted in a loop while files wait.
      // On the picture lane that is the OCR/image runtime failing (temporary: the file is asked for again later).
      lane.queue
        .shift()
        ?.reject(
          lane.name === 'picture'
            ? new ParseRejected('OCR_UNAVAILABLE', `图片识别进程无法启动（${err.message.slice(0, 200)}），请稍后重试`)
            : new Error(`parse worker (${lane.name} lane) ended before it was ready: ${err.message}`),
        );
    }
    void slot.worker.stop();
    this.dispatch(lane);
  }
}

/** A picture-lane child that exited (not over its heap limit) or whose OCR engine failed while reading a file. */
class WorkerCrash extends Error {}

/** A picture-lane child whose OCR engine did not load within its limit. */
class OcrLoadFailed extends Error {}

/** What a worker reports to its lane: a reply, or its end (the error its file fails with, if it had one). */
interface WorkerEvents {
  message(reply: ParseReply): void;
  error(err: Error): void;
}

const WORKER_ENTRY = new URL('./parse-worker.mjs', import.meta.url);
/** First argument of a forked child (parse-worker.ts checks it): the second is its ParseWorkerData as JSON. */
const PARSE_CHILD_FLAG = '--openfapiao-parse-child';

/** A worker thread of the text lane: V8 heap limit through resourceLimits, ended with terminate(). */
function startThread(workerData: ParseWorkerData, maxHeapMb: number, events: WorkerEvents): Endpoint {
  const worker = new Worker(WORKER_ENTRY, {
    workerData,
    resourceLimits: { maxOldGenerationSizeMb: maxHeapMb, maxYoungGenerationSizeMb: 32 },
  });
  worker.on('message', events.message);
  worker.on('error', (err) => {
    const oom = /ERR_WORKER_OUT_OF_MEMORY|heap/i.test(`${(err as { code?: string }).code ?? ''} ${err.message}`);
    events.error(oom ? new ParseRejected('TOO_COMPLEX', '文件解析超出内存限制，已停止') : err);
  });
  worker.on('exit', (code) => events.error(new Error(`parse worker exited with code ${code}`)));
  return {
    send: (request) => worker.postMessage(request),
    hold: () => worker.ref(),
    release: () => worker.unref(),
    stop: async () => {
      await worker.terminate();
    },
  };
}

/**
 * A child process of the picture lane: the same entry forked with an IPC channel (structured clone, so bytes travel
 * as bytes), a V8 heap limit (--max-old-space-size), an empty environment but the time zone, and no inherited
 * Node flags. A heap abort fails the file it was reading as too complex; any other exit is a crash on that file.
 */
function forkChild(workerData: ParseWorkerData, maxHeapMb: number, events: WorkerEvents): Endpoint {
  const child: ChildProcess = fork(WORKER_ENTRY, [PARSE_CHILD_FLAG, JSON.stringify(workerData)], {
    serialization: 'advanced',
    execArgv: [`--max-old-space-size=${maxHeapMb}`],
    env: { TZ: Intl.DateTimeFormat().resolvedOptions().timeZone },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let exited = false;
  let ended: () => void = () => {};
  const exit = new Promise<void>((resolve) => {
    ended = resolve;
  });
  const end = (err: Error) => {
    if (exited) return;
    exited = true;
    ended();
    events.error(err);
  };
  child.once('exit', (code, signal) => {
    const heap = signal === 'SIGABRT' || code === 134;
    // Over its heap limit: the file is too complex. Any other exit (a crash of the native OCR or image runtime) is
    // a crash on the file it was reading: read once more in a fresh child, too complex the second time (kill()).
    end(
      heap
        ? new ParseRejected('TOO_COMPLEX', '文件解析超出内存限制，已停止')
        : new WorkerCrash(`图片识别进程意外退出（${signal ?? code}）`),
    );
  });
  child.on('message', (reply) => events.message(reply as ParseReply));
  child.on('error', (err) => {
    // Could not start (no process: no exit will follow), or could not send: end the child, its exit fails the file.
    if (child.pid === undefined) end(err);
    else if (!exited) child.kill('SIGKILL');
  });
  return {
    send: (request) => {
      child.send(request);
    },
    hold: () => {
      child.ref();
      child.channel?.ref();
    },
    release: () => {
      child.unref();
      child.channel?.unref();
    },
    stop: async () => {
      if (!exited) child.kill('SIGKILL');
      await exit;
    },
  };
}

const busy = () => new ParseRejected('BUSY', '图片识别队列已满，请稍后重试');
const stopped = () => new ParseRejected('CLOSED', '文件解析服务正在停止，请稍后重试');

/** Delay before a lane starts a worker after one crashed, doubling per crash in a row up to the maximum. */
const FIRST_RESPAWN_DELAY_MS = 500;
const MAX_RESPAWN_DELAY_MS = 30_000;
/** Delay before the OCR engine is loaded again after a failed load, doubling per failure in a row up to the maximum. */
const FIRST_OCR_RETRY_MS = 1_000;
const MAX_OCR_RETRY_MS = 5 * 60_000;

/** Limits of the process-wide pool. */
export const PARSE_LIMITS = {
  maxFileBytes: 20 * 1024 * 1024,
  timeoutMs: 10_000,
  imageTimeoutMs: 30_000,
  /** Loading the OCR engine in a picture process (≈ 1 s on an idle core), outside any file's time. */
  ocrLoadTimeoutMs: 60_000,
  maxHeapMb: 384,
} as const;

let shared: ParsePool | undefined;

/** The pool's settings from the configuration (COLLECT_OCR, COLLECT_PARSE_WORKERS, COLLECT_OCR_WORKERS, COLLECT_OCR_QUEUE). */
export interface ParsePoolSettings {
  readonly ocr: boolean;
  /** Text-lane workers; default: the cores, at most 2. */
  readonly workers?: number;
  /** Picture-lane workers (pictures, scanned PDFs); default 1. */
  readonly ocrWorkers?: number;
  /** Pictures waiting at most before the parse-only route answers busy; default 32. */
  readonly ocrQueue?: number;
}

let settings: ParsePoolSettings = { ocr: true };
let testHooks: Pick<ParsePoolOptions, 'testHooks' | 'testOcrSwitch' | 'ocrRetryDelayMs'> = {};

/**
 * Tests only: the process-wide pool's workers obey the test hooks (see {@link ParsePoolOptions.testHooks}), and the
 * OCR retry delay may be set (see {@link ParsePoolOptions.ocrRetryDelayMs}); the pool is replaced at once. `null`
 * turns them off again.
 */
export function setParsePoolTestHooks(
  hooks: { readonly testOcrSwitch?: string; readonly ocrRetryDelayMs?: number } | null,
): void {
  testHooks = hooks ? { testHooks: true, ...hooks } : {};
  const old = shared;
  shared = undefined;
  void old?.close();
}

/**
 * Closes the process-wide pool (the app and the runtime call it when they close): files waiting or being read are
 * rejected with CLOSED, its workers and picture processes end. A later {@link getParsePool} starts a new pool.
 */
export async function closeParsePool(): Promise<void> {
  const old = shared;
  shared = undefined;
  await old?.close();
}

/** The pool settings of the app's configuration. */
export function parsePoolSettings(config: {
  readonly collectOcr: boolean;
  readonly collectParse: { readonly workers: number; readonly ocrWorkers: number; readonly ocrQueue: number };
}): ParsePoolSettings {
  const { workers, ocrWorkers, ocrQueue } = config.collectParse;
  return { ocr: config.collectOcr, ...(workers > 0 ? { workers } : {}), ocrWorkers, ocrQueue };
}

/**
 * Sets the process-wide pool's settings (the app calls it at start, before the first file); a pool already started
 * with other settings is replaced on the next call to {@link getParsePool}.
 */
export function configureParsePool(next: ParsePoolSettings): void {
  if (
    next.ocr === settings.ocr &&
    next.workers === settings.workers &&
    next.ocrWorkers === settings.ocrWorkers &&
    next.ocrQueue === settings.ocrQueue
  )
    return;
  settings = { ...next };
  const old = shared;
  shared = undefined;
  void old?.close();
}

/**
 * The process-wide pool: a text lane of up to 2 workers and a picture lane of 1 by default (parsing is bursty;
 * rendering has its own pool).
 */
export function getParsePool(): ParsePool {
  shared ??= new ParsePool({
    size: settings.workers ?? Math.max(1, Math.min(2, os.availableParallelism())),
    pictureSize: settings.ocrWorkers ?? 1,
    pictureQueueMax: settings.ocrQueue ?? 32,
    ...PARSE_LIMITS,
    ocr: settings.ocr,
    ...testHooks,
  });
  return shared;
}
