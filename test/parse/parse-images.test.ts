/**
 * Pictures of invoices: the photo fixture (QR fields exact, OCR fields where readable), synthetic photos made from
 * our own rendered invoices (pdftoppm, then turned, sheared, faded and shrunk with sharp), an EXIF-rotated JPEG,
 * and the refusals (decompression bomb from the header, corrupt data, pixel limits).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadOcrEngine } from '../../src/modules/collection/ocr-engine.js';
import { renderInvoiceDocuments } from '../../src/modules/documents/render/render-invoice-documents.js';
import { sampleInvoice } from '../../src/modules/documents/render/sample-invoices.js';
import { InvoiceDraft } from '../../src/parse/draft.js';
import { readImage } from '../../src/parse/image.js';
import {
  type OcrEngine,
  parseInvoiceFile,
  prepareQrReader,
  readImageHeader,
  sniffFormat,
} from '../../src/parse/index.js';
import { mayHoldImageObjects } from '../../src/parse/pdf.js';
import { pdfPagePng } from '../helpers/pdf-kit.js';
import { CMAP_URL, readFixture } from './parse-test-kit.js';

/** A PDF with `png` as its only content (a scan: no text layer). */
function scannedPdf(png: Buffer): Promise<Buffer> {
  return new Promise((resolve) => {
    const pdf = new PDFDocument({ size: 'A5', layout: 'landscape', margin: 0 });
    const chunks: Buffer[] = [];
    pdf.on('data', (c: Buffer) => chunks.push(c));
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.image(png, 0, 0, { fit: [595, 420] });
    pdf.end();
  });
}

const require = createRequire(import.meta.url);
let ocr: OcrEngine;

beforeAll(async () => {
  await prepareQrReader(fs.readFileSync(require.resolve('zxing-wasm/reader/zxing_reader.wasm')));
  const engine = await loadOcrEngine();
  if (!engine) throw new Error('the OCR engine (@gutenye/ocr-node) is not installed');
  ocr = engine;
}, 60_000);

/** A PNG signature and IHDR claiming width × height, nothing else (a decompression bomb's header). */
function pngHeader(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(25);
  ihdr.writeUInt32BE(13, 0);
  ihdr.write('IHDR', 4, 'latin1');
  ihdr.writeUInt32BE(width, 8);
  ihdr.writeUInt32BE(height, 12);
  ihdr.set([8, 2, 0, 0, 0], 16);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ihdr, Buffer.alloc(32)]);
}

describe('the photo fixture (guanshuicheng 电子发票.png, a legacy 电子普票 with a small QR)', () => {
  const png = readFixture('guanshuicheng__invoice/电子发票.png');

  it('reads number, code, date, check code and amount exactly from the QR, without OCR', async () => {
    expect(sniffFormat(png)).toBe('image');
    const r = await parseInvoiceFile(png);
    expect(r).toMatchObject({
      format: 'image',
      kind: '026',
      code: '012001800311',
      number: '33207675',
      issueDate: '2019-05-08',
      checkCode: '76939056883466677916',
      totals: { amount: '46.62', tax: null, total: null },
      seller: { name: null, taxId: null },
    });
    expect(r.qrPayload).toMatch(/^01,10,012001800311,33207675,46\.62,20190508,76939056883466677916,/);
    for (const field of ['number', 'code', 'issueDate', 'checkCode', 'totals.amount'] as const)
      expect(r.fieldSources[field]).toBe('qr');
  });

  it('reads the parties and totals by OCR, each with source ocr and a confidence below the QR fields', async () => {
    const r = await parseInvoiceFile(png, { ocr });
    expect(r.number).toBe('33207675');
    expect(r.fieldSources.number).toBe('qr');
    expect(r.seller).toEqual({ name: '天津瑞佳讯贸易有限公司', taxId: '91120222079642398Y' });
    expect(r.buyer.name).toBe('个人');
    expect(r.totals).toEqual({ amount: '46.62', tax: '6.08', total: '52.70' });
    expect(r.amountInWords).toBe('伍拾贰圆柒角');
    expect(r.fieldSources).toMatchObject({ 'seller.name': 'ocr', 'seller.taxId': 'ocr', 'totals.total': 'ocr' });
    expect(r.confidence['seller.taxId']).toBeGreaterThan(0.3);
    expect(r.confidence['seller.taxId']).toBeLessThan(r.confidence.number ?? 0);
    expect(r.warnings.map((w) => w.code)).not.toContain('QR_MISMATCH');
  }, 60_000);
});

describe('synthetic photos of our own rendered invoices', () => {
  const doc = sampleInvoice({ kind: '82' });
  let page: Buffer;

  beforeAll(() => {
    page = pdfPagePng(Buffer.from(renderInvoiceDocuments(doc).pdf), 150);
  });

  const variants: Array<[string, (s: sharp.Sharp) => sharp.Sharp]> = [
    ['upright PNG', (s) => s.png()],
    ['WebP screenshot', (s) => s.webp({ quality: 90 })],
    ['turned 7° (a hand-held photo)', (s) => s.rotate(7, { background: '#ffffff' }).jpeg({ quality: 85 })],
    ['upside down', (s) => s.rotate(180).jpeg({ quality: 85 })],
    ['sheared (perspective-like)', (s) => s.affine([1, 0.06, 0.04, 1], { background: '#ffffff' }).jpeg()],
    ['low contrast, grey paper', (s) => s.linear(0.3, 150).jpeg({ quality: 80 })],
    ['shrunk to 60 %', (s) => s.resize({ width: 744 }).jpeg({ quality: 85 })],
    ['enlarged to a 12 MP photo', (s) => s.resize({ width: 4032 }).jpeg({ quality: 80 })],
  ];
  for (const [name, make] of variants) {
    it(`decodes the QR of a ${name}: number, date and total exact`, async () => {
      const bytes = await make(sharp(page)).toBuffer();
      const r = await parseInvoiceFile(bytes);
      expect(r).toMatchObject({ format: 'image', kind: '82', number: doc.number, issueDate: '2025-06-01' });
      expect(r.totals.total).toBe(doc.totals.total);
      expect(r.fieldSources.number).toBe('qr');
    }, 30_000);
  }

  it('turns an EXIF-rotated JPEG upright before OCR reads it', async () => {
    // Pixels stored turned a quarter left; orientation 6 says "turn right to view".
    const jpeg = await sharp(page).rotate(-90).jpeg({ quality: 90 }).withMetadata({ orientation: 6 }).toBuffer();
    expect(readImageHeader(jpeg)).toMatchObject({ type: 'jpeg', orientation: 6 });
    // The QR is found upright: EXIF turned the pixels, not the QR's angle (which would also rescue OCR).
    const report = await readImage(jpeg, new InvoiceDraft('image'));
    expect(Math.abs(report.qr.angle ?? 90)).toBeLessThan(3);
    const r = await parseInvoiceFile(jpeg, { ocr });
    expect(r.number).toBe(doc.number);
    expect(r.seller.name).toBe(doc.seller.name);
    expect(r.fieldSources['seller.name']).toBe('ocr');
  }, 60_000);

  it('reads the parties by OCR and warns when the QR disagrees with the printed number', async () => {
    const clean = await parseInvoiceFile(page, { ocr });
    expect(clean.seller.taxId).toBe(doc.seller.taxId);
    expect(clean.buyer.taxId).toBe(doc.buyer.taxId);
    expect(clean.warnings.map((w) => w.code)).not.toContain('QR_MISMATCH');
    expect(clean.fieldSources).toMatchObject({ 'buyer.taxId': 'ocr', lines: 'ocr', number: 'qr' });
    // The item table by its columns, as the PDF text layer gives it.
    expect(clean.lines.map((l) => [l.name, l.unit, l.quantity, l.amount, l.taxRate, l.taxAmount])).toEqual([
      ['*信息技术服务*软件开发服务费', '项', '1', '8000.00', '0.06', '480.00'],
      ['*有色金属*铝锭', '吨', '2', '1000.00', '0.13', '130.00'],
      ['*餐饮服务*工作餐', null, null, '100.00', '0.06', '6.00'],
    ]);
    expect(clean.totals).toEqual({ amount: doc.totals.amount, tax: doc.totals.tax, total: doc.totals.total });
    expect(clean.amountInWords).toBe(doc.totals.totalInWords);
    // Paste the QR corner of another invoice over this one: the QR and the printed text now disagree.
    const other = renderInvoiceDocuments(sampleInvoice({ kind: '82', number: '25310000000000009999' })).pdf;
    const otherPage = pdfPagePng(Buffer.from(other), 150);
    const meta = await sharp(page).metadata();
    const corner = {
      left: 0,
      top: 0,
      width: Math.round((meta.width ?? 0) * 0.3),
      height: Math.round((meta.height ?? 0) * 0.2),
    };
    const qrCorner = await sharp(otherPage).extract(corner).png().toBuffer();
    const forged = await sharp(page)
      .composite([{ input: qrCorner, left: 0, top: 0 }])
      .png()
      .toBuffer();
    const r = await parseInvoiceFile(forged, { ocr });
    expect(r.number).toBe('25310000000000009999');
    expect(r.fieldSources.number).toBe('qr');
    expect(r.warnings).toContainEqual(expect.objectContaining({ code: 'SOURCES_DISAGREE', field: 'number' }));
  }, 60_000);
});

describe('QR codes inside PDFs, decoded from the image objects (no rasterisation)', () => {
  it('cross-checks the text layer of the 数电 PDF fixture with its QR image (blanks in empty fields tolerated)', async () => {
    const r = await parseInvoiceFile(readFixture('renoyuan__easyofd/test.pdf'), { cMapUrl: CMAP_URL });
    expect(r.qrPayload).toBe('01,31,,23512000000005197325,2150.63,20230130,,F366');
    expect(r.fieldSources.number).toBe('pdf-text');
    expect(r.warnings.map((w) => w.code)).not.toContain('QR_MISMATCH');
    const skipped = await parseInvoiceFile(readFixture('renoyuan__easyofd/test.pdf'), {
      cMapUrl: CMAP_URL,
      skipPdfQr: true,
    });
    expect(skipped.qrPayload).toBeNull();
  });

  it('looks for QR images only in PDFs that hold an image object (the operator list is not built otherwise)', () => {
    expect(mayHoldImageObjects(readFixture('renoyuan__easyofd/test.pdf'))).toBe(true);
    // Our own PDFs draw the QR as vectors and embed no picture.
    expect(mayHoldImageObjects(renderInvoiceDocuments(sampleInvoice({ kind: '81' })).pdf)).toBe(false);
    const has = (text: string) => mayHoldImageObjects(Buffer.from(text, 'latin1'));
    expect(has('<< /Type /XObject /Subtype /Image /Width 300 >>')).toBe(true);
    expect(has('<</Type/XObject/Subtype/Image/Width 300>>')).toBe(true);
    expect(has('/Subtype\r\n/Image\r\n')).toBe(true);
    expect(has('trailing /Image')).toBe(true);
    // Longer names are other things: a ProcSet's image kinds, a resource called Image1.
    expect(has('/ProcSet [/PDF /Text /ImageB /ImageC /ImageI] /XObject << /Image1 5 0 R >>')).toBe(false);
    expect(has('')).toBe(false);
  });

  it('reads a scanned PDF (no text layer) through the QR of its page image', async () => {
    const doc = sampleInvoice({ kind: '81' });
    const page = pdfPagePng(Buffer.from(renderInvoiceDocuments(doc).pdf), 100);
    // The page picture cropped square around the QR corner, as scanners' PDFs often hold the QR as its own image.
    const meta = await sharp(page).metadata();
    const side = Math.round((meta.height ?? 0) * 0.3);
    const qrTile = await sharp(page).extract({ left: 0, top: 0, width: side, height: side }).png().toBuffer();
    const pdf = await scannedPdf(qrTile);
    const r = await parseInvoiceFile(pdf, { cMapUrl: CMAP_URL });
    expect(r).toMatchObject({ format: 'pdf', kind: '81', number: doc.number, issueDate: '2025-06-01' });
    expect(r.totals.total).toBe(doc.totals.total);
    expect(r.fieldSources.number).toBe('qr');
    await expect(parseInvoiceFile(pdf, { cMapUrl: CMAP_URL, skipPdfQr: true })).rejects.toMatchObject({
      code: 'NO_TEXT_LAYER',
    });
  });
});

describe('refusals', () => {
  it('refuses a decompression bomb from its header, before decoding', async () => {
    await expect(parseInvoiceFile(pngHeader(60_000, 60_000))).rejects.toMatchObject({ code: 'IMAGE_TOO_LARGE' });
    await expect(parseInvoiceFile(pngHeader(20_000, 10))).rejects.toMatchObject({ code: 'IMAGE_TOO_LARGE' });
    // A real, highly compressible PNG over a lowered limit.
    const big = await sharp({ create: { width: 3000, height: 3000, channels: 3, background: '#ffffff' } })
      .png()
      .toBuffer();
    expect(big.length).toBeLessThan(200_000);
    await expect(
      parseInvoiceFile(big, { imageLimits: { maxPixels: 4_000_000, maxSide: 16_384 } }),
    ).rejects.toMatchObject({ code: 'IMAGE_TOO_LARGE' });
  });

  it('refuses corrupt and truncated pictures as corrupt, a blank picture as not an invoice', async () => {
    const jpeg = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#ffffff' } })
      .jpeg()
      .toBuffer();
    await expect(parseInvoiceFile(jpeg.subarray(0, 40))).rejects.toMatchObject({ code: 'CORRUPT' });
    const garbage = Buffer.concat([pngHeader(100, 100), Buffer.alloc(200, 7)]);
    await expect(parseInvoiceFile(garbage)).rejects.toMatchObject({ code: 'CORRUPT' });
    await expect(parseInvoiceFile(jpeg)).rejects.toMatchObject({ code: 'NOT_AN_INVOICE' });
    await expect(parseInvoiceFile(jpeg, { ocr })).rejects.toMatchObject({
      code: 'NOT_AN_INVOICE',
      message: expect.stringContaining('文字识别'),
    });
  }, 60_000);

  it('refuses pictures of other types (GIF, BMP) as unsupported', async () => {
    await expect(parseInvoiceFile(Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'))).rejects.toMatchObject({
      code: 'UNSUPPORTED_TYPE',
    });
    await expect(parseInvoiceFile(Buffer.from('BM\x00\x00\x00\x00', 'latin1'))).rejects.toMatchObject({
      code: 'UNSUPPORTED_TYPE',
    });
  });
});
