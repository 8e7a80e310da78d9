/** POST /api/v1/invoice-files/parse on both dialects: real files in, fields out; every refusal a coded 4xx. */
import fs from 'node:fs';
import path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchFile, issueBlue, tempDataDir } from '../documents/documents-kit.js';
import { buildTestApp, errorOf, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { concatPdfs, MULTI_NUMBERS, threeInvoices } from '../parse/multi-invoice-kit.js';
import { zipOf } from './received-kit.js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/real-invoices');

/** A multipart/form-data body with the given parts (files as Buffers). */
function multipart(parts: Array<{ name: string; filename?: string; type?: string; data: Buffer | string }>) {
  const boundary = `----openfapiao${parts.length}x7`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}`;
    const head = `--${boundary}\r\nContent-Disposition: ${disposition}\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ''}\r\n`;
    chunks.push(Buffer.from(head), Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** The signature and IHDR chunk of a PNG claiming width × height pixels (the decompression-bomb shape). */
function pngHeaderOnly(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(25);
  ihdr.writeUInt32BE(13, 0);
  ihdr.write('IHDR', 4, 'latin1');
  ihdr.writeUInt32BE(width, 8);
  ihdr.writeUInt32BE(height, 12);
  ihdr.set([8, 2, 0, 0, 0], 16);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ihdr, Buffer.alloc(64)]);
}

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: POST /api/v1/invoice-files/parse`, () => {
    let t: TestApp;
    let a: SeededTenant;

    beforeAll(async () => {
      t = await buildTestApp(dialect, { DATA_DIR: tempDataDir() }, undefined, { worker: true });
      a = await seedTenant(t, 'A');
    });
    afterAll(async () => t?.close());

    const upload = (data: Buffer, filename = 'invoice.bin', who: SeededTenant | null = a) => {
      const body = multipart([{ name: 'file', filename, type: 'application/octet-stream', data }]);
      return t.app.inject({
        method: 'POST',
        url: '/api/v1/invoice-files/parse',
        payload: body.payload,
        headers: { ...body.headers, ...(who?.auth ?? {}) },
      });
    };

    it('parses the PDF, OFD and XML of an invoice this instance issued back to its fields', async () => {
      const blue = await issueBlue(t, a);
      for (const format of ['pdf', 'ofd', 'xml']) {
        const file = await fetchFile(t, a, `/api/v1/invoices/${blue.serialNo}/files/${format}`);
        const res = await upload(file.rawPayload, `x.${format}`);
        expect(res.statusCode).toBe(200);
        const body = res.json();
        expect(body).toMatchObject({ format, kind: '82', number: blue.number, seller: { taxId: a.sellerTaxId } });
        expect(body.fieldSources.number).toBe('xml');
        expect(body.totals.total).toMatch(/^\d+\.\d{2}$/);
      }
    }, 120_000);

    it('parses real fixtures: a legacy OFD through its embedded XML, a 数电 PDF through its text layer', async () => {
      const ofd = await upload(fs.readFileSync(path.join(FIXTURES, 'ofdrw__ofdrw/1.ofd')));
      expect(ofd.statusCode).toBe(200);
      expect(ofd.json()).toMatchObject({
        kind: '026',
        code: '033002000211',
        number: '83089647',
        issueDate: '2020-07-23',
        checkCode: '16197833567414507415',
        totals: { amount: '510.68', tax: '15.32', total: '526.00' },
      });
      const pdf = await upload(fs.readFileSync(path.join(FIXTURES, 'renoyuan__easyofd/test.pdf')));
      expect(pdf.statusCode).toBe(200);
      expect(pdf.json()).toMatchObject({
        kind: '81',
        number: '23512000000005197325',
        buyer: { name: '中国移动通信集团四川有限公司成都分公司', taxId: '91510000765055994P' },
        seller: { name: '郫都区星讯通讯设备经营部', taxId: '92510124MA6B1BBY1G' },
        totals: { amount: '2129.34', tax: '21.29', total: '2150.63' },
      });
      expect(pdf.json().fieldSources.number).toBe('pdf-text');
      expect(pdf.json().confidence.number).toBeLessThan(1);
    });

    it('reads a picture of an invoice: QR fields exact, the rest by OCR with its source and confidence', async () => {
      const png = await upload(fs.readFileSync(path.join(FIXTURES, 'guanshuicheng__invoice/电子发票.png')), 'a.png');
      expect(png.statusCode).toBe(200);
      const body = png.json();
      expect(body).toMatchObject({
        format: 'image',
        kind: '026',
        code: '012001800311',
        number: '33207675',
        issueDate: '2019-05-08',
        checkCode: '76939056883466677916',
        qrPayload: expect.stringMatching(/^01,10,012001800311,33207675,46\.62,20190508,/),
      });
      expect(body.fieldSources).toMatchObject({ number: 'qr', issueDate: 'qr', 'totals.amount': 'qr' });
      expect(body.confidence.number).toBeGreaterThan(0.9);
      // OCR (on by default): the seller and the total, with a lower confidence than the QR fields.
      expect(body.seller).toEqual({ name: '天津瑞佳讯贸易有限公司', taxId: '91120222079642398Y' });
      expect(body.totals.total).toBe('52.70');
      expect(body.fieldSources['seller.taxId']).toBe('ocr');
      expect(body.confidence['seller.taxId']).toBeLessThan(body.confidence.number);
    }, 120_000);

    it('answers every invoice of a file in items (a merged PDF, a ZIP), the first also at the top level', async () => {
      const three = threeInvoices();
      const merged = Buffer.from(await concatPdfs(three.map((x) => x.rendered.pdf)));
      const res = await upload(merged, 'merged.pdf');
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.items.map((x: { number: string }) => x.number)).toEqual([...MULTI_NUMBERS]);
      // One-invoice clients read the top level as before: the first invoice.
      expect(body).toMatchObject({ format: 'pdf', number: MULTI_NUMBERS[0], kind: '81' });
      expect(body.items[0]).toEqual(Object.fromEntries(Object.entries(body).filter(([k]) => k !== 'items')));
      // A one-invoice file: one item, equal to the top level.
      const single = (await upload(fs.readFileSync(path.join(FIXTURES, 'ofdrw__ofdrw/1.ofd')))).json();
      expect(single.items).toHaveLength(1);
      expect(single.items[0].number).toBe(single.number);
      // A ZIP: each entry parsed (the merged PDF gives three), entries without an invoice listed with their code.
      const zip = zipOf({
        'a/merged.pdf': merged,
        'b.ofd': fs.readFileSync(path.join(FIXTURES, 'ofdrw__ofdrw/1.ofd')),
        'c.xml': Buffer.from('<?xml version="1.0"?><order><id>1</id></order>'),
      });
      const zres = await upload(zip, 'batch.zip');
      expect(zres.statusCode).toBe(200);
      const zbody = zres.json();
      expect(zbody.items.map((x: { fileName: string; number: string }) => [x.fileName, x.number])).toEqual([
        ...MULTI_NUMBERS.map((n) => ['a/merged.pdf', n]),
        ['b.ofd', '83089647'],
      ]);
      expect(zbody.number).toBe(MULTI_NUMBERS[0]);
      expect(zbody.skipped).toEqual([
        { fileName: 'c.xml', code: 'INVOICE_FILE_NOT_INVOICE', message: expect.stringContaining('不是发票') },
      ]);
      const none = await upload(zipOf({ 'c.xml': Buffer.from('<?xml version="1.0"?><order/>') }), 'none.zip');
      expect(none.statusCode).toBe(422);
      expect(errorOf(none).code).toBe('INVOICE_FILE_NOT_INVOICE');
    }, 120_000);

    it('reads a scanned PDF (page pictures, no text layer) through the picture lane: QR exact, OCR fields', async () => {
      const png = fs.readFileSync(path.join(FIXTURES, 'guanshuicheng__invoice/电子发票.png'));
      const doc = await PDFDocument.create();
      const img = await doc.embedPng(png);
      doc.addPage([img.width, img.height]).drawImage(img, { x: 0, y: 0, width: img.width, height: img.height });
      const res = await upload(Buffer.from(await doc.save()), 'scan.pdf');
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({ format: 'pdf', number: '33207675', issueDate: '2019-05-08' });
      expect(body.fieldSources).toMatchObject({ number: 'qr', 'seller.taxId': 'ocr' });
      expect(body.seller.taxId).toBe('91120222079642398Y');
      expect(body.warnings.map((w: { code: string }) => w.code)).toContain('NO_TEXT_LAYER');
      expect(body.items).toHaveLength(1);
    }, 180_000);

    it('answers coded 4xx errors with Chinese messages for files it refuses', async () => {
      const gif = await upload(Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'), 'a.gif');
      expect(gif.statusCode).toBe(415);
      expect(errorOf(gif).code).toBe('INVOICE_FILE_UNSUPPORTED');
      expect(errorOf(gif).message).toContain('JPEG');
      // A 60 000 × 60 000 PNG header: refused from the header, nothing decoded.
      const bomb = await upload(pngHeaderOnly(60_000, 60_000), 'bomb.png');
      expect(bomb.statusCode).toBe(422);
      expect(errorOf(bomb).code).toBe('INVOICE_FILE_IMAGE_TOO_LARGE');
      const notInvoice = await upload(Buffer.from('<?xml version="1.0"?><order><id>1</id></order>'), 'a.xml');
      expect(notInvoice.statusCode).toBe(422);
      expect(errorOf(notInvoice)).toMatchObject({ code: 'INVOICE_FILE_NOT_INVOICE' });
      expect(errorOf(notInvoice).message).toContain('不是发票');
      const corrupt = await upload(Buffer.from('<EInvoice><Header></EInvoice>'), 'a.xml');
      expect(corrupt.statusCode).toBe(422);
      expect(errorOf(corrupt).code).toBe('INVOICE_FILE_CORRUPT');
      const ofd = fs.readFileSync(path.join(FIXTURES, 'ofdrw__ofdrw/1.ofd'));
      const truncated = await upload(ofd.subarray(0, ofd.length - 200), 'a.ofd');
      expect(truncated.statusCode).toBe(422);
      expect(errorOf(truncated).code).toBe('INVOICE_FILE_CORRUPT');
    });

    it('refuses a file over 20 MiB with 413 and a request without a file part with 400', async () => {
      const big = await upload(Buffer.alloc(21 * 1024 * 1024, 0x20), 'big.pdf');
      expect(big.statusCode).toBe(413);
      expect(errorOf(big).code).toBe('INVOICE_FILE_TOO_LARGE');
      const fieldOnly = multipart([{ name: 'note', data: 'hello' }]);
      const none = await t.app.inject({
        method: 'POST',
        url: '/api/v1/invoice-files/parse',
        payload: fieldOnly.payload,
        headers: { ...fieldOnly.headers, ...a.auth },
      });
      expect(none.statusCode).toBe(400);
      expect(errorOf(none).code).toBe('INVOICE_FILE_MISSING');
      const json = await t.app.inject({
        method: 'POST',
        url: '/api/v1/invoice-files/parse',
        payload: { file: 'x' },
        headers: a.auth,
      });
      expect(json.statusCode).toBe(400);
      expect(errorOf(json).code).toBe('INVOICE_FILE_MISSING');
    });

    it('needs authentication', async () => {
      const res = await upload(Buffer.from('<a/>'), 'a.xml', null);
      expect(res.statusCode).toBe(401);
    });
  });
}
