/**
 * The parse pool keeps hostile files off the event loop: time limits, worker replacement, refusals as values, the
 * picture lane's bound (pictures and scanned PDFs), closing with files waiting, OCR that fails and comes back, and
 * an OCR engine slow to load (outside the picture's time limit, under a limit of its own).
 * Pools are shared between cases (each worker start loads pdf.js and the QR reader; each OCR start its models), and
 * the picture lane is held busy with the worker's hang picture instead of real OCR work.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import sharp from 'sharp';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ParsePool, type ParsePoolOptions, ParseRejected } from '../../src/modules/collection/index.js';
import { loadConfig } from '../../src/platform/config/load-config.js';
import { testDir } from '../helpers/temp-dir.js';
import { nestedMultipartMail, rawMail } from './mail-kit.js';

/** A child process the picture lane forked: its pid, the files sent to it, how it ended. */
interface Forked {
  pid: number | undefined;
  sent: Uint8Array[];
  exit: { code: number | null; signal: NodeJS.Signals | null } | null;
}

/** Every child the pools fork: `fork` passes through, watched (so a test can tell one process from the next). */
const forked = vi.hoisted(() => [] as Forked[]);
vi.mock('node:child_process', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:child_process')>();
  const fork = ((...args: Parameters<typeof original.fork>) => {
    const child = original.fork(...args);
    const entry: Forked = { pid: child.pid, sent: [], exit: null };
    const send = child.send.bind(child) as (message: unknown, ...rest: unknown[]) => boolean;
    child.send = ((message: { bytes?: Uint8Array }, ...rest: unknown[]) => {
      if (message?.bytes) entry.sent.push(message.bytes);
      return send(message, ...rest);
    }) as typeof child.send;
    child.once('exit', (code, signal) => {
      entry.exit = { code, signal };
    });
    forked.push(entry);
    return child;
  }) as typeof original.fork;
  return { ...original, fork, default: { ...original, fork } };
});

/** The last child that was sent exactly `bytes`. */
const lastSentTo = (bytes: Uint8Array): Forked | undefined =>
  forked.findLast((f) => f.sent.some((b) => Buffer.from(b).equals(bytes)));

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/real-invoices');
const ofd = () => fs.readFileSync(path.join(FIXTURES, 'ofdrw__ofdrw/1.ofd'));
const textPdf = () => fs.readFileSync(path.join(FIXTURES, 'renoyuan__easyofd/test.pdf'));
const png = () => fs.readFileSync(path.join(FIXTURES, 'guanshuicheng__invoice/电子发票.png'));

/** The test picture of parse-worker.ts (TEST_HOOK_MARK), obeyed by workers started with testHooks only. */
const hook = (action: 'hang' | 'exit') =>
  Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    Buffer.from(`openfapiao-test-hook:${action}`),
  ]);

/** A one-page scanned PDF: the invoice picture as the page, no text layer. */
async function scannedPdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const img = await doc.embedPng(png());
  doc.addPage([img.width, img.height]).drawImage(img, { x: 0, y: 0, width: img.width, height: img.height });
  return Buffer.from(await doc.save());
}

const pools: ParsePool[] = [];
const pool = (options: Partial<ParsePoolOptions>) => {
  const p = new ParsePool({
    size: 1,
    pictureSize: 1,
    timeoutMs: 30_000,
    maxHeapMb: 384,
    maxFileBytes: 20 << 20,
    ...options,
  });
  pools.push(p);
  return p;
};

describe('parse pool', () => {
  afterAll(async () => {
    await Promise.all(pools.splice(0).map((p) => p.close()));
  });

  /** Text lane, generous limits, no test hooks. */
  const text = pool({ maxHeapMb: 128, ocr: false });
  /** Every file past its time limit. */
  const fast = pool({ timeoutMs: 1, maxHeapMb: 128 });

  it('parses on a worker thread and answers refusals with their code', async () => {
    await expect(text.parse(fs.readFileSync(path.join(FIXTURES, 'ofdrw__ofdrw/keyword2.ofd')))).resolves.toMatchObject({
      number: '31471858',
      totals: { total: '200.00' },
    });
    await expect(text.parse(Buffer.from('not an invoice'))).rejects.toMatchObject({ code: 'UNSUPPORTED_TYPE' });
  }, 120_000);

  it('stops a file that runs past the time limit and ends its worker; a fresh worker reads the next file', async () => {
    const err = await fast.parse(textPdf()).catch((e) => e);
    expect(err).toBeInstanceOf(ParseRejected);
    expect(err.code).toBe('TOO_COMPLEX');
    expect(fast.state().text).toEqual({ workers: 0, busy: 0, queued: 0 });
    await expect(text.parse(ofd())).resolves.toMatchObject({ number: '83089647' });
  }, 120_000);

  it('takes COLLECT_OCR from the configuration: on by default, off, anything else refused', () => {
    expect(loadConfig({}).collectOcr).toBe(true);
    expect(loadConfig({ COLLECT_OCR: 'off' }).collectOcr).toBe(false);
    expect(() => loadConfig({ COLLECT_OCR: 'maybe' })).toThrow(/COLLECT_OCR/);
  });

  it('reads a raw mail on a worker: sender, subject, attachment bytes and link candidates', async () => {
    const pdf = textPdf();
    const raw = await rawMail({
      from: '"供应商" <Billing@Supplier.example.test>',
      to: 'inv@collect.example.test',
      subject: '发票',
      text: '下载：https://dl.example.test/a.pdf?token=1 。',
      html: '<a href="https://dl.example.test/b.ofd">b</a>',
      attachments: [{ filename: '发票.pdf', content: pdf }],
    });
    const mail = await text.parseMail(raw, 5_000_000);
    expect(mail.from).toBe('billing@supplier.example.test');
    expect(mail.subject).toBe('发票');
    expect(mail.attachments).toHaveLength(1);
    expect(mail.attachments[0]).toMatchObject({ filename: '发票.pdf', contentType: 'application/pdf' });
    expect(Buffer.from(mail.attachments[0]?.content ?? []).equals(pdf)).toBe(true);
    expect([...mail.links].sort()).toEqual(['https://dl.example.test/a.pdf?token=1', 'https://dl.example.test/b.ofd']);
  }, 120_000);

  it('refuses hostile mails (nested multiparts, endless header, oversize) and keeps serving', async () => {
    const nested = await text.parseMail(nestedMultipartMail(5000), 50_000_000).catch((e) => e);
    expect(nested).toBeInstanceOf(ParseRejected);
    expect(nested.code).toBe('TOO_COMPLEX');
    expect(nested.message).toContain('多部分');
    const hugeHeader = Buffer.concat([
      Buffer.from('From: a@example.test\r\nSubject: x'),
      Buffer.from(' y\r\n'.repeat(100_000)),
      Buffer.from('\r\nbody\r\n'),
    ]);
    await expect(text.parseMail(hugeHeader, 50_000_000)).rejects.toMatchObject({ code: 'TOO_COMPLEX' });
    await expect(text.parseMail(nestedMultipartMail(3), 100)).rejects.toMatchObject({ code: 'TOO_LARGE' });
    // A shallow nesting is read; the same worker answers it.
    await expect(text.parseMail(nestedMultipartMail(10), 50_000_000)).resolves.toMatchObject({ subject: 'nested' });
  }, 120_000);

  it('stops a mail past the time limit on its worker, and the pool answers the next one', async () => {
    const raw = await rawMail({
      from: 'a@example.test',
      to: 'b@example.test',
      subject: 's',
      text: 'x'.repeat(500_000),
    });
    const err = await fast.parseMail(raw, 5_000_000).catch((e) => e);
    expect(err).toBeInstanceOf(ParseRejected);
    expect(err.code).toBe('TOO_COMPLEX');
    await expect(text.parseMail(raw, 5_000_000)).resolves.toMatchObject({ subject: 's' });
  }, 120_000);

  it('ignores the test pictures without testHooks: an unreadable picture, refused as such', async () => {
    const err = await text.parse(hook('exit')).catch((e) => e);
    expect(err).toBeInstanceOf(ParseRejected);
    expect(['TOO_COMPLEX', 'OCR_UNAVAILABLE']).not.toContain(err.code);
  }, 120_000);

  describe('picture lane (child processes)', () => {
    /** OCR off: pictures and scans give their QR; a full lane sheds. */
    const pictures = pool({ ocr: false, testHooks: true, pictureQueueMax: 1, imageTimeoutMs: 120_000 });

    it('reads a picture from its QR with OCR off (COLLECT_OCR=off)', async () => {
      await expect(pictures.parse(png())).resolves.toMatchObject({
        format: 'image',
        number: '33207675',
        seller: { name: null, taxId: null },
      });
    }, 120_000);

    it('moves a scanned PDF from the text lane to the picture lane', async () => {
      const read = pictures.parse(await scannedPdf());
      // A PDF starts in the text lane: only its worker finds out it is a scan.
      expect(pictures.state().text.queued).toBe(1);
      expect(pictures.state().picture.queued).toBe(0);
      const r = await read;
      expect(r).toMatchObject({ format: 'pdf', number: '33207675', issueDate: '2019-05-08' });
      expect(r.fieldSources.number).toBe('qr');
      expect(r.warnings.map((w) => w.code)).toContain('NO_TEXT_LAYER');
      expect(pictures.state().picture.workers).toBe(1);
    }, 120_000);

    it('reads a file the picture process crashed on once more in a fresh child; a second crash makes it TOO_COMPLEX', async () => {
      // Crashes every time: read twice, then too complex (the file's fault, not an OCR outage); the next file is read.
      // A picture no other test sends (a PNG with a trailing byte still reads), so its child is known.
      const nextPicture = Buffer.concat([png(), Buffer.from([0])]);
      const crash = pictures.parse(hook('exit')).catch((e) => e);
      const next = pictures.parse(nextPicture);
      const err = await crash;
      expect(err).toBeInstanceOf(ParseRejected);
      expect(err).toMatchObject({ code: 'TOO_COMPLEX', message: expect.stringContaining('70') });
      await expect(next).resolves.toMatchObject({ format: 'image', number: '33207675' });
      expect(pictures.state().picture).toEqual({ workers: 1, busy: 0, queued: 0 });
      // The crash ended its process; the next picture went to another process, which is still running.
      const crashed = lastSentTo(hook('exit'));
      const reader = lastSentTo(nextPicture);
      expect(crashed?.exit).toEqual({ code: 70, signal: null });
      expect(reader).toBeDefined();
      expect(reader).not.toBe(crashed);
      expect(reader?.pid).not.toBe(crashed?.pid);
      expect(reader?.exit).toBeNull();
      // Crashes once: the second reading, in a fresh child, gives the file's own answer (an unreadable picture).
      const dir = testDir('openfapiao-crash-');
      const marker = path.join(dir, 'crashed');
      const once = await pictures
        .parse(Buffer.concat([hook('exit'), Buffer.from(`-once:${marker}`, 'latin1')]))
        .catch((e) => e);
      expect(fs.existsSync(marker)).toBe(true);
      expect(once).toBeInstanceOf(ParseRejected);
      expect(['TOO_COMPLEX', 'OCR_UNAVAILABLE']).not.toContain(once.code);
    }, 120_000);

    it('answers a picture the OCR engine fails on (twice, in two children) as TOO_COMPLEX, not as an OCR outage', async () => {
      const dir = testDir('openfapiao-ocr-broken-');
      const ocrSwitch = path.join(dir, 'switch');
      fs.writeFileSync(ocrSwitch, 'broken');
      const p = pool({ ocr: true, testHooks: true, testOcrSwitch: ocrSwitch, imageTimeoutMs: 120_000 });
      const err = await p.parse(png()).catch((e) => e);
      expect(err).toBeInstanceOf(ParseRejected);
      expect(err).toMatchObject({ code: 'TOO_COMPLEX', message: expect.stringContaining('test switch broken') });
    }, 120_000);

    it('kills a picture that hangs past its limit, the process lives on, and a fresh child answers next', async () => {
      const p = pool({ ocr: false, testHooks: true, imageTimeoutMs: 1_000 });
      const err = await p.parse(hook('hang')).catch((e) => e);
      expect(err).toBeInstanceOf(ParseRejected);
      expect(err).toMatchObject({ code: 'TOO_COMPLEX', message: expect.stringContaining('1 秒') });
      expect(p.state().picture.busy).toBe(0);
      // A fresh child answers (an unreadable picture: refused fast, as such).
      const unreadable = Buffer.concat([hook('hang').subarray(0, 8), Buffer.alloc(64)]);
      const next = await p.parse(unreadable).catch((e) => e);
      expect(next).toBeInstanceOf(ParseRejected);
      expect(next.code).not.toBe('TOO_COMPLEX');
      // The hung process was killed; another process read the next file.
      const hung = lastSentTo(hook('hang'));
      const reader = lastSentTo(unreadable);
      expect(hung).toBeDefined();
      await expect.poll(() => hung?.exit).toEqual({ code: null, signal: 'SIGKILL' });
      expect(reader).toBeDefined();
      expect(reader?.pid).not.toBe(hung?.pid);
      expect(reader?.exit).toBeNull();
    }, 120_000);

    it('gives a scanned PDF one picture budget for the whole file', async () => {
      const p = pool({ ocr: false, imageTimeoutMs: 1 });
      await expect(p.parse(await scannedPdf())).rejects.toMatchObject({
        code: 'TOO_COMPLEX',
        message: expect.stringContaining('0.001'),
      });
      // The text lane (its own limit) was not affected.
      await expect(p.parse(ofd())).resolves.toMatchObject({ number: '83089647' });
    }, 120_000);

    it('keeps text files moving while the picture lane is stuck; scans count against its bound; close rejects what waits', async () => {
      const p = pool({ ocr: false, testHooks: true, pictureQueueMax: 1, imageTimeoutMs: 600_000 });
      const scan = await scannedPdf();
      // One picture hangs on the lane's only child, one waits: the bound (1) is reached.
      const stuck = [p.parse(hook('hang')).catch((e) => e), p.parse(hook('hang')).catch((e) => e)];
      expect(p.state().picture.queued + p.state().picture.busy).toBe(2);
      await expect(p.parse(png(), { shed: true })).rejects.toMatchObject({ code: 'BUSY' });
      // A scan is found on the text lane, then refused for shedding callers like a picture …
      await expect(p.parse(scan, { shed: true })).rejects.toMatchObject({ code: 'BUSY' });
      // … and text files are read meanwhile.
      await expect(p.parse(textPdf())).resolves.toMatchObject({ format: 'pdf', number: '23512000000005197325' });
      await expect(p.parse(ofd())).resolves.toMatchObject({ number: '83089647' });
      expect(p.state().picture.queued + p.state().picture.busy).toBe(2);
      // A scan from intake (no shedding) waits on the picture lane.
      const waiting = p.parse(scan).catch((e) => e);
      await expect.poll(() => p.state().picture.queued, { timeout: 60_000 }).toBe(2);
      // Closing answers every file being read or waiting with CLOSED, and every later one.
      await p.close();
      for (const err of [...(await Promise.all(stuck)), await waiting]) {
        expect(err).toBeInstanceOf(ParseRejected);
        expect(err.code).toBe('CLOSED');
      }
      await expect(p.parse(ofd())).rejects.toMatchObject({ code: 'CLOSED' });
      expect(p.state().picture).toEqual({ workers: 0, busy: 0, queued: 0 });
    }, 120_000);

    it('reads pictures without OCR while it is down (warning, or OCR_UNAVAILABLE), and with it once it is back', async () => {
      const dir = testDir('openfapiao-ocr-');
      const ocrSwitch = path.join(dir, 'switch');
      fs.writeFileSync(ocrSwitch, 'down');
      const p = pool({ ocr: true, testHooks: true, testOcrSwitch: ocrSwitch, imageTimeoutMs: 120_000 });
      // Down (its models do not load): the QR's fields, flagged; a picture with nothing else is temporarily unreadable.
      const partial = await p.parse(png());
      expect(partial).toMatchObject({ number: '33207675', seller: { taxId: null } });
      expect(partial.warnings.map((w) => w.code)).toContain('OCR_UNAVAILABLE');
      const blank = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#fff' } })
        .png()
        .toBuffer();
      await expect(p.parse(blank)).rejects.toMatchObject({ code: 'OCR_UNAVAILABLE' });
      // Back: the worker tries the engine again after its (doubling) delay and reads every field.
      fs.writeFileSync(ocrSwitch, 'up');
      await expect
        .poll(async () => (await p.parse(png())).fieldSources['seller.taxId'], { timeout: 100_000, interval: 500 })
        .toBe('ocr');
      const full = await p.parse(png());
      expect(full).toMatchObject({ number: '33207675', seller: { taxId: '91120222079642398Y' } });
      expect(full.warnings.map((w) => w.code)).not.toContain('OCR_UNAVAILABLE');
      // With OCR working, the blank picture is what it is: no invoice.
      await expect(p.parse(blank)).rejects.toMatchObject({ code: 'NOT_AN_INVOICE' });
    }, 240_000);

    it('starts a picture’s time limit once its OCR engine is loaded: a slow load is no too-complex picture', async () => {
      const dir = testDir('openfapiao-ocr-slow-');
      const ocrSwitch = path.join(dir, 'switch');
      // The engine takes 4 s to load (then reads nothing); a picture may take 2 s.
      fs.writeFileSync(ocrSwitch, 'slow:4000');
      const p = pool({ ocr: true, testHooks: true, testOcrSwitch: ocrSwitch, imageTimeoutMs: 2_000 });
      const read = await p.parse(png());
      expect(read).toMatchObject({ format: 'image', number: '33207675' });
      expect(read.warnings.map((w) => w.code)).not.toContain('OCR_UNAVAILABLE');
    }, 120_000);

    it('bounds the OCR engine’s load by its own limit: past it, pictures are read without OCR, not refused', async () => {
      const dir = testDir('openfapiao-ocr-stuck-');
      const ocrSwitch = path.join(dir, 'switch');
      fs.writeFileSync(ocrSwitch, 'slow:600000');
      const p = pool({
        ocr: true,
        testHooks: true,
        testOcrSwitch: ocrSwitch,
        imageTimeoutMs: 120_000,
        ocrLoadTimeoutMs: 1_000,
        ocrRetryDelayMs: 600_000,
      });
      // The load that ran past its limit was tried for this picture: it is told nothing about a retry delay.
      const tried = { retryInMs: null as number | null };
      const partial = await p.parse(png(), { ocrNote: tried });
      expect(partial).toMatchObject({ number: '33207675', seller: { taxId: null } });
      expect(partial.warnings.find((w) => w.code === 'OCR_UNAVAILABLE')?.message).toContain('加载超过 1 秒');
      expect(tried.retryInMs).toBeNull();
      // The next picture comes while the lane waits out its retry delay: no load is tried for it, and it hears when
      // the next one comes.
      const deferred = { retryInMs: null as number | null };
      const blank = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#fff' } })
        .png()
        .toBuffer();
      await expect(p.parse(blank, { ocrNote: deferred })).rejects.toMatchObject({ code: 'OCR_UNAVAILABLE' });
      expect(deferred.retryInMs).toBeGreaterThan(0);
      expect(deferred.retryInMs).toBeLessThanOrEqual(600_000);
    }, 120_000);
  });
});
