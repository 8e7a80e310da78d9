import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../storage/blob-store.js';
import { unpackFile } from '../storage/document-bundle.js';
import { RenderPool } from './render-pool.js';
import { sampleInvoice } from './sample-invoices.js';

const docs = [1, 2, 3].map((i) => sampleInvoice({ number: `2631200000000000000${i}` }));

describe('render pool', () => {
  const pool = new RenderPool(1);
  const dirs: string[] = [];
  afterAll(async () => {
    await pool.close();
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('queues several invoices on one worker and gives each caller its own files', async () => {
    const results = await Promise.all(docs.map((doc) => pool.render(doc)));
    results.forEach((files, i) => {
      expect(files.pdf.subarray(0, 5).toString()).toBe('%PDF-');
      expect(files.xml.toString()).toContain(`<EIid>${docs[i]?.number}</EIid>`);
    });
  });

  it('stores the bundle from the worker thread and answers with the addresses only', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openfapiao-pool-'));
    dirs.push(dir);
    const stored = await pool.renderToStore(docs[0]!, dir);
    const blob = fs.readFileSync(path.join(dir, stored.blob.sha256.slice(0, 2), stored.blob.sha256));
    expect(sha256Hex(blob)).toBe(stored.blob.sha256);
    const xml = unpackFile(blob, stored.files.xml);
    expect(xml?.toString()).toContain(`<EIid>${docs[0]?.number}</EIid>`);
    expect(sha256Hex(xml ?? Buffer.alloc(0))).toBe(stored.files.xml.sha256);
  });

  it('when a worker dies, fails only what it was rendering and renders the queued rest on a new worker', async () => {
    const crashing = new RenderPool(1);
    try {
      const pending = docs.map((doc) =>
        crashing.render(doc).then(
          (files) => ({ ok: true as const, files }),
          (err: Error) => ({ ok: false as const, err }),
        ),
      );
      const { slots } = crashing as unknown as { slots: Array<{ worker: Worker }> };
      await slots[0]?.worker.terminate();
      const outcomes = await Promise.all(pending);
      expect(outcomes.map((o) => o.ok)).toEqual([false, true, true]);
      expect(outcomes[0]?.ok === false && outcomes[0].err.message).toMatch(/render worker exited/);
    } finally {
      await crashing.close();
    }
  });
});
