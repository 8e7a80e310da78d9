/** The parse pool keeps hostile files off the event loop: time limit, worker replacement, refusals as values. */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ParsePool, ParseRejected } from '../../src/modules/collection/index.js';
import { loadConfig } from '../../src/platform/config/load-config.js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/real-invoices');
const pools: ParsePool[] = [];
const pool = (timeoutMs: number) => {
  const p = new ParsePool({ size: 1, timeoutMs, maxHeapMb: 128, maxFileBytes: 20 * 1024 * 1024 });
  pools.push(p);
  return p;
};

describe('parse pool', () => {
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.close()));
  });

  it('parses on a worker thread and answers refusals with their code', async () => {
    const p = pool(30_000);
    const r = await p.parse(fs.readFileSync(path.join(FIXTURES, 'ofdrw__ofdrw/keyword2.ofd')));
    expect(r).toMatchObject({ number: '31471858', totals: { total: '200.00' } });
    await expect(p.parse(Buffer.from('not an invoice'))).rejects.toMatchObject({ code: 'UNSUPPORTED_TYPE' });
  }, 120_000);

  it('stops a file that runs past the time limit, then parses the next one on a fresh worker', async () => {
    const p = pool(1);
    const err = await p.parse(fs.readFileSync(path.join(FIXTURES, 'renoyuan__easyofd/test.pdf'))).catch((e) => e);
    expect(err).toBeInstanceOf(ParseRejected);
    expect(err.code).toBe('TOO_COMPLEX');
    const q = pool(30_000);
    await expect(q.parse(fs.readFileSync(path.join(FIXTURES, 'ofdrw__ofdrw/1.ofd')))).resolves.toMatchObject({
      number: '83089647',
    });
  }, 120_000);

  it('reads pictures on the worker: QR only with OCR off (COLLECT_OCR=off), QR and OCR with it on', async () => {
    const png = fs.readFileSync(path.join(FIXTURES, 'guanshuicheng__invoice/电子发票.png'));
    const off = new ParsePool({ size: 1, timeoutMs: 10_000, maxHeapMb: 384, maxFileBytes: 20 << 20, ocr: false });
    const on = new ParsePool({ size: 1, timeoutMs: 10_000, maxHeapMb: 384, maxFileBytes: 20 << 20, ocr: true });
    pools.push(off, on);
    const qrOnly = await off.parse(png);
    expect(qrOnly).toMatchObject({ format: 'image', number: '33207675', seller: { name: null, taxId: null } });
    const both = await on.parse(png);
    expect(both).toMatchObject({ number: '33207675', seller: { taxId: '91120222079642398Y' } });
    expect(both.fieldSources['seller.taxId']).toBe('ocr');
  }, 120_000);

  it('gives pictures their own, longer time limit', async () => {
    const png = fs.readFileSync(path.join(FIXTURES, 'guanshuicheng__invoice/电子发票.png'));
    const p = new ParsePool({ size: 1, timeoutMs: 30_000, imageTimeoutMs: 1, maxHeapMb: 384, maxFileBytes: 20 << 20 });
    pools.push(p);
    await expect(p.parse(png)).rejects.toMatchObject({
      code: 'TOO_COMPLEX',
      message: expect.stringContaining('0.001'),
    });
    await expect(p.parse(fs.readFileSync(path.join(FIXTURES, 'ofdrw__ofdrw/1.ofd')))).resolves.toMatchObject({
      number: '83089647',
    });
  }, 120_000);

  it('takes COLLECT_OCR from the configuration: on by default, off, anything else refused', () => {
    expect(loadConfig({}).collectOcr).toBe(true);
    expect(loadConfig({ COLLECT_OCR: 'off' }).collectOcr).toBe(false);
    expect(() => loadConfig({ COLLECT_OCR: 'maybe' })).toThrow(/COLLECT_OCR/);
  });
});
