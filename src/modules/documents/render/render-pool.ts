/**
 * A small pool of worker threads that render invoice documents, so the CPU work (~5 ms per invoice) never blocks
 * the HTTP event loop. One process-wide pool, started lazily; idle workers are unref'd so they never keep a
 * process alive, and a worker that dies is replaced on the next render.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { PackedDocuments } from '../storage/document-bundle.js';
import type { InvoiceDocument } from './invoice-document.js';
import type { RenderedDocuments } from './render-invoice-documents.js';
import type { RenderReply, RenderRequest } from './render-worker.js';

/** An invoice's files stored by a render thread, as one bundle blob. */
export type StoredDocuments = PackedDocuments<keyof RenderedDocuments>;

interface Job {
  readonly request: RenderRequest;
  resolve(result: RenderedDocuments | StoredDocuments): void;
  reject(err: Error): void;
  /** Set when the job was given to another worker after its first one died before reaching it. */
  requeued?: boolean;
}

interface Slot {
  readonly worker: Worker;
  /** Requests posted to this worker and not answered yet, by request id (at most PIPELINE_DEPTH). */
  readonly jobs: Map<number, Job>;
}

/**
 * Requests queued on each worker thread at once. A worker answers one and starts the next from its own message
 * queue without waiting for the main thread, whose event loop is busy with HTTP and SQL under load: with one request
 * per worker, every render paid a round trip through that loop and the threads sat idle between documents.
 */
const PIPELINE_DEPTH = 4;

/** Renders documents on worker threads. */
export class RenderPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 0;

  constructor(private readonly size: number) {}

  /** Renders one invoice's PDF, OFD and XML on a worker thread. */
  render(doc: InvoiceDocument): Promise<RenderedDocuments> {
    return this.submit({ id: ++this.nextId, doc }) as Promise<RenderedDocuments>;
  }

  /**
   * Renders one invoice's files on a worker thread, which also packs them into one blob and writes it to the
   * filesystem blob store under `directory` (putBlobFileSync): the bytes never come back to this thread.
   */
  renderToStore(doc: InvoiceDocument, directory: string): Promise<StoredDocuments> {
    return this.submit({ id: ++this.nextId, doc, storeIn: directory }) as Promise<StoredDocuments>;
  }

  private submit(request: RenderRequest): Promise<RenderedDocuments | StoredDocuments> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.dispatch();
    });
  }

  /** Stops every worker (pending renders fail). */
  async close(): Promise<void> {
    const slots = this.slots.splice(0);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const slot = this.leastBusy();
      if (!slot) return;
      const job = this.queue.shift() as Job;
      slot.jobs.set(job.request.id, job);
      slot.worker.ref();
      slot.worker.postMessage(job.request);
    }
  }

  /** An idle worker, else a new one while below size, else the one with the fewest requests below the depth. */
  private leastBusy(): Slot | null {
    let best: Slot | null = null;
    for (const slot of this.slots) {
      if (slot.jobs.size === 0) return slot;
      if (!best || slot.jobs.size < best.jobs.size) best = slot;
    }
    const spawned = this.spawn();
    if (spawned) return spawned;
    return best && best.jobs.size < PIPELINE_DEPTH ? best : null;
  }

  private spawn(): Slot | null {
    if (this.slots.length >= this.size) return null;
    const worker = new Worker(new URL('./render-worker.mjs', import.meta.url));
    worker.unref();
    const slot: Slot = { worker, jobs: new Map() };
    worker.on('message', (reply: RenderReply) => this.finish(slot, reply));
    worker.on('error', (err) => this.fail(slot, err));
    worker.on('exit', (code) => this.fail(slot, new Error(`render worker exited with code ${code}`)));
    this.slots.push(slot);
    return slot;
  }

  private finish(slot: Slot, reply: RenderReply): void {
    const job = slot.jobs.get(reply.id);
    slot.jobs.delete(reply.id);
    if (slot.jobs.size === 0) slot.worker.unref();
    if (job) {
      if ('error' in reply) job.reject(new Error(`render failed: ${reply.error}`));
      else if ('stored' in reply) job.resolve(reply.stored);
      else job.resolve({ pdf: Buffer.from(reply.pdf), ofd: Buffer.from(reply.ofd), xml: Buffer.from(reply.xml) });
    }
    this.dispatch();
  }

  private fail(slot: Slot, err: Error): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    this.slots.splice(index, 1);
    // A worker takes its requests in order: the first one is what it was rendering when it died (and may be the
    // cause), the others never started. Those go back to the front of the queue once, for a fresh worker.
    const [current, ...waiting] = slot.jobs.values();
    slot.jobs.clear();
    current?.reject(err);
    for (const job of waiting.reverse()) {
      if (job.requeued) {
        job.reject(err);
      } else {
        job.requeued = true;
        this.queue.unshift(job);
      }
    }
    void slot.worker.terminate();
    this.dispatch();
  }
}

let shared: RenderPool | undefined;

/** The process-wide pool: one worker per core, at most 4. */
export function getRenderPool(): RenderPool {
  shared ??= new RenderPool(Math.max(1, Math.min(4, os.availableParallelism())));
  return shared;
}
