/**
 * A small pool of worker threads that render invoice documents, so the CPU work (~5 ms per invoice) never blocks
 * the HTTP event loop. One process-wide pool, started lazily; idle workers are unref'd so they never keep a
 * process alive, and a worker that dies is replaced on the next render.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { InvoiceDocument } from './invoice-document.js';
import type { RenderedDocuments } from './render-invoice-documents.js';
import type { RenderReply, RenderRequest } from './render-worker.js';

interface Job {
  readonly request: RenderRequest;
  resolve(docs: RenderedDocuments): void;
  reject(err: Error): void;
}

interface Slot {
  readonly worker: Worker;
  job: Job | null;
}

/** Renders documents on worker threads. */
export class RenderPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 0;

  constructor(private readonly size: number) {}

  /** Renders one invoice's PDF, OFD and XML on a worker thread. */
  render(doc: InvoiceDocument): Promise<RenderedDocuments> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request: { id: ++this.nextId, doc }, resolve, reject });
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
      const slot = this.slots.find((s) => s.job === null) ?? this.spawn();
      if (!slot) return;
      const job = this.queue.shift() as Job;
      slot.job = job;
      slot.worker.ref();
      slot.worker.postMessage(job.request);
    }
  }

  private spawn(): Slot | null {
    if (this.slots.length >= this.size) return null;
    const worker = new Worker(new URL('./render-worker.mjs', import.meta.url));
    worker.unref();
    const slot: Slot = { worker, job: null };
    worker.on('message', (reply: RenderReply) => this.finish(slot, reply));
    worker.on('error', (err) => this.fail(slot, err));
    worker.on('exit', (code) => this.fail(slot, new Error(`render worker exited with code ${code}`)));
    this.slots.push(slot);
    return slot;
  }

  private finish(slot: Slot, reply: RenderReply): void {
    const job = slot.job;
    slot.job = null;
    slot.worker.unref();
    if (job && job.request.id === reply.id) {
      if ('error' in reply) job.reject(new Error(`render failed: ${reply.error}`));
      else job.resolve({ pdf: Buffer.from(reply.pdf), ofd: Buffer.from(reply.ofd), xml: Buffer.from(reply.xml) });
    }
    this.dispatch();
  }

  private fail(slot: Slot, err: Error): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    this.slots.splice(index, 1);
    slot.job?.reject(err);
    slot.job = null;
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
