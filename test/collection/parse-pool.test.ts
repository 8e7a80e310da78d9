/** The parse pool keeps hostile files off the event loop: time limit, worker replacement, refusals as values. */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ParsePool, ParseRejected } from '../../src/modules/collection/index.js';
import { loadConfig } from '../../src/platform/config/load-config.js';
import { nestedMultipartMail, rawMail } from './mail-kit.js';

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

  it('reads a raw mail on a worker: sender, subject, attachment bytes and link candidates', async () => {
    const p = pool(30_000);
    const pdf = fs.readFileSync(path.join(FIXTURES, 'renoyuan__easyofd/test.pdf'));
    const raw = await rawMail({
      from: '"供应商" <Billing@Supplier.example.test>',
      to: 'inv@collect.example.test',
      subject: '发票',
      text: '下载：https://dl.example.test/a.pdf?token=1 。',
      html: '<a href="https://dl.example.test/b.ofd">b</a>',
      attachments: [{ filename: '发票.pdf', content: pdf }],
    });
    const mail = await p.parseMail(raw, 5_000_000);
    expect(mail.from).toBe('billing@supplier.example.test');
    expect(mail.subject).toBe('发票');
    expect(mail.attachments).toHaveLength(1);
    expect(mail.attachments[0]).toMatchObject({ filename: '发票.pdf', contentType: 'application/pdf' });
    expect(Buffer.from(mail.attachments[0]?.content ?? []).equals(pdf)).toBe(true);
    expect([...mail.links].sort()).toEqual(['https://dl.example.test/a.pdf?token=1', 'https://dl.example.test/b.ofd']);
  }, 120_000);

  it('refuses hostile mails (nested multiparts, endless header, oversize) and keeps serving', async () => {
    const p = pool(30_000);
    const nested = await p.parseMail(nestedMultipartMail(5000), 50_000_000).catch((e) => e);
    expect(nested).toBeInstanceOf(ParseRejected);
    expect(nested.code).toBe('TOO_COMPLEX');
    expect(nested.message).toContain('多部分');
    const hugeHeader = Buffer.concat([
      Buffer.from('From: a@example.test\r\nSubject: x'),
      Buffer.from(' y\r\n'.repeat(100_000)),
      Buffer.from('\r\nbody\r\n'),
    ]);
    await expect(p.parseMail(hugeHeader, 50_000_000)).rejects.toMatchObject({ code: 'TOO_COMPLEX' });
    await expect(p.parseMail(nestedMultipartMail(3), 100)).rejects.toMatchObject({ code: 'TOO_LARGE' });
    // A shallow nesting is read; the same worker answers it.
    await expect(p.parseMail(nestedMultipartMail(10), 50_000_000)).resolves.toMatchObject({ subject: 'nested' });
  }, 120_000);

  it('stops a mail past the time limit on its worker, and the pool answers the next one', async () => {
    const slow = pool(1);
    const raw = await rawMail({
      from: 'a@example.test',
      to: 'b@example.test',
      subject: 's',
      text: 'x'.repeat(500_000),
    });
    const err = await slow.parseMail(raw, 5_000_000).catch((e) => e);
    expect(err).toBeInstanceOf(ParseRejected);
    expect(err.code).toBe('TOO_COMPLEX');
    await expect(pool(30_000).parseMail(raw, 5_000_000)).resolves.toMatchObject({ subject: 's' });
  }, 120_000);
});
