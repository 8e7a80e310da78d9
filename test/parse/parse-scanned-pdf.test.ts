/**
 * Scanned PDFs (no text layer, one picture per page), built here the way scanners and "scan to PDF" apps build them:
 * our own invoices rendered to pictures with pdftoppm, saved as JPEG (DCT) or PNG (Flate RGB), wrapped into a PDF
 * with pdf-lib. Read through the page image objects and the photo pipeline: QR fields exact, OCR fields with their
 * own confidence; a sideways-stored scan shown upright by /Rotate; a scan turned on its page; two invoices in one
 * scan.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { degrees, PDFDocument } from 'pdf-lib';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadOcrEngine } from '../../src/modules/collection/ocr-engine.js';
import { renderInvoiceDocuments } from '../../src/modules/documents/render/render-invoice-documents.js';
import { sampleInvoice } from '../../src/modules/documents/render/sample-invoices.js';
import {
  isScannedPdf,
  type OcrEngine,
  parseInvoiceFile,
  parseInvoicesInFile,
  prepareQrReader,
} from '../../src/parse/index.js';
import { type PdfJsOps, pagePicture, type ScanPage } from '../../src/parse/pdf-scan.js';
import { pdfPagePng } from '../helpers/pdf-kit.js';
import { CMAP_URL } from './parse-test-kit.js';

const require = createRequire(import.meta.url);
let ocr: OcrEngine;

/** Page 1 of an invoice we issue, as a 150-dpi PNG (what a scanner sees). */
function scanOf(number: string, kind: '81' | '82' = '82'): { png: Buffer; doc: ReturnType<typeof sampleInvoice> } {
  const doc = sampleInvoice({ kind, number });
  return { png: pdfPagePng(Buffer.from(renderInvoiceDocuments(doc).pdf), 150), doc };
}

interface ScanPageSpec {
  readonly image: Buffer;
  readonly type: 'jpeg' | 'png';
  /** The page's /Rotate. */
  readonly rotate?: 0 | 90 | 180 | 270;
  /** Draw the picture turned on the page (degrees counter-clockwise, pdf-lib's sense). */
  readonly drawTurned?: 90;
}

/** A PDF of page pictures only, each page sized to its picture at 150 dpi. */
async function scannedPdf(pages: readonly ScanPageSpec[]): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  for (const spec of pages) {
    const img = spec.type === 'jpeg' ? await pdf.embedJpg(spec.image) : await pdf.embedPng(spec.image);
    const w = (img.width * 72) / 150;
    const h = (img.height * 72) / 150;
    if (spec.drawTurned) {
      const page = pdf.addPage([h, w]);
      page.drawImage(img, { x: h, y: 0, width: w, height: h, rotate: degrees(90) });
    } else {
      const page = pdf.addPage([w, h]);
      page.drawImage(img, { x: 0, y: 0, width: w, height: h });
      if (spec.rotate) page.setRotation(degrees(spec.rotate));
    }
  }
  return Buffer.from(await pdf.save());
}

beforeAll(async () => {
  await prepareQrReader(fs.readFileSync(require.resolve('zxing-wasm/reader/zxing_reader.wasm')));
  const engine = await loadOcrEngine();
  if (!engine) throw new Error('the OCR engine (@gutenye/ocr-node) is not installed');
  ocr = engine;
}, 60_000);

describe('scanned PDFs', () => {
  const a = scanOf('25310000000000000101');
  const b = scanOf('25310000000000000202', '81');

  it('reads a JPEG scan: QR fields exact without OCR, parties and totals by OCR with per-field confidence', async () => {
    const jpeg = await sharp(a.png).jpeg({ quality: 85 }).toBuffer();
    const pdf = await scannedPdf([{ image: jpeg, type: 'jpeg' }]);
    const qrOnly = await parseInvoiceFile(pdf, { cMapUrl: CMAP_URL });
    expect(qrOnly).toMatchObject({ format: 'pdf', kind: '82', number: a.doc.number, issueDate: '2025-06-01' });
    expect(qrOnly.totals.total).toBe(a.doc.totals.total);
    expect(qrOnly.seller.name).toBeNull();
    expect(qrOnly.fieldSources.number).toBe('qr');
    expect(qrOnly.warnings.map((w) => w.code)).toContain('NO_TEXT_LAYER');

    const r = await parseInvoiceFile(pdf, { cMapUrl: CMAP_URL, ocr });
    expect(r.number).toBe(a.doc.number);
    expect(r.fieldSources.number).toBe('qr');
    expect(r.seller).toEqual({ name: a.doc.seller.name, taxId: a.doc.seller.taxId });
    expect(r.buyer.taxId).toBe(a.doc.buyer.taxId);
    expect(r.totals).toEqual({ amount: a.doc.totals.amount, tax: a.doc.totals.tax, total: a.doc.totals.total });
    expect(r.fieldSources).toMatchObject({ 'seller.name': 'ocr', 'seller.taxId': 'ocr', 'totals.tax': 'ocr' });
    // Each OCR field carries its own characters' confidence (0.7 × their mean score), below the QR's.
    const own = ['seller.name', 'seller.taxId', 'buyer.taxId', 'totals.tax'].map((f) => r.confidence[f as 'lines']);
    for (const c of own) expect(c).toBeGreaterThan(0.5);
    for (const c of own) expect(c).toBeLessThanOrEqual(0.7);
    expect(r.confidence.number).toBe(0.95);
  }, 120_000);

  it('hands a scan back when asked to defer it (the pool’s text lane), and never a text-layer PDF', async () => {
    const pdf = await scannedPdf([{ image: a.png, type: 'png' }]);
    const err = await parseInvoiceFile(pdf, { cMapUrl: CMAP_URL, scannedPdf: 'defer' }).catch((e) => e);
    expect(isScannedPdf(err)).toBe(true);
    const text = await parseInvoiceFile(renderInvoiceDocuments(a.doc).pdf, { cMapUrl: CMAP_URL, scannedPdf: 'defer' });
    expect(text.number).toBe(a.doc.number);
  }, 60_000);

  it('shows a sideways-stored scan upright by its /Rotate (the picture handed to OCR is turned as the page shows it)', async () => {
    const sideways = await sharp(a.png).rotate(-90).png().toBuffer();
    const pdf = await scannedPdf([{ image: sideways, type: 'png', rotate: 90 }]);
    const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
    const doc = await pdfjs.getDocument({ data: new Uint8Array(pdf), verbosity: 0 }).promise;
    const work = await pagePicture(
      (await doc.getPage(1)) as unknown as ScanPage,
      pdfjs as unknown as PdfJsOps,
      50_000_000,
    );
    await doc.destroy();
    const meta = await sharp(a.png).metadata();
    // The invoice is landscape: upright means wider than high, as the original.
    expect((meta.width ?? 0) > (meta.height ?? 0)).toBe(true);
    expect(work && work.width > work.height).toBe(true);
    const r = await parseInvoiceFile(pdf, { cMapUrl: CMAP_URL, ocr });
    expect(r.number).toBe(a.doc.number);
    expect(r.seller.taxId).toBe(a.doc.seller.taxId);
  }, 120_000);

  it('reads a scan drawn turned on its page (the QR angle turns it upright for OCR)', async () => {
    const pdf = await scannedPdf([{ image: a.png, type: 'png', drawTurned: 90 }]);
    const r = await parseInvoiceFile(pdf, { cMapUrl: CMAP_URL, ocr });
    expect(r.number).toBe(a.doc.number);
    expect(r.buyer.taxId).toBe(a.doc.buyer.taxId);
  }, 120_000);

  it('splits a multi-page scan holding two invoices (a page without a QR continues the one before)', async () => {
    const blank = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#ffffff' } })
      .jpeg()
      .toBuffer();
    const pdf = await scannedPdf([
      { image: await sharp(a.png).jpeg({ quality: 85 }).toBuffer(), type: 'jpeg' },
      { image: blank, type: 'jpeg' },
      { image: b.png, type: 'png' },
    ]);
    const all = await parseInvoicesInFile(pdf, { cMapUrl: CMAP_URL });
    expect(all.map((x) => [x.kind, x.number, x.totals.total])).toEqual([
      ['82', a.doc.number, a.doc.totals.total],
      ['81', b.doc.number, b.doc.totals.total],
    ]);
    // One invoice wanted: the first.
    expect((await parseInvoiceFile(pdf, { cMapUrl: CMAP_URL })).number).toBe(a.doc.number);
  }, 120_000);

  it('refuses a scan whose pictures give no invoice, saying why', async () => {
    const blank = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#ffffff' } })
      .png()
      .toBuffer();
    const pdf = await scannedPdf([{ image: blank, type: 'png' }]);
    await expect(parseInvoiceFile(pdf, { cMapUrl: CMAP_URL })).rejects.toMatchObject({
      code: 'NO_TEXT_LAYER',
      message: expect.stringContaining('二维码'),
    });
  }, 60_000);
});
