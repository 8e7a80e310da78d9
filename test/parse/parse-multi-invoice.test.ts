/**
 * Multi-invoice PDFs: a merged print (合并打印) or invoices concatenated give one invoice each, split by the invoice
 * number each page's header prints; pages without one (a continuation) stay with the invoice before them; several
 * embedded invoice XMLs are one invoice each.
 */
import { PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { mergeInvoicePdfs } from '../../src/modules/documents/merge-print.js';
import { renderInvoiceDocuments } from '../../src/modules/documents/render/render-invoice-documents.js';
import { sampleInvoice } from '../../src/modules/documents/render/sample-invoices.js';
import { parseInvoiceFile, parseInvoicesInFile } from '../../src/parse/index.js';
import { concatPdfs, MULTI_NUMBERS, threeInvoices } from './multi-invoice-kit.js';
import { CMAP_URL, readFixture, TRUTH } from './parse-test-kit.js';

const opts = { cMapUrl: CMAP_URL };

describe('multi-invoice PDFs', () => {
  const invoices = threeInvoices();
  const pdfs = invoices.map((x) => x.rendered.pdf);

  it('splits three concatenated invoices (one of two pages) into three, each with its own fields', async () => {
    const merged = await concatPdfs(pdfs);
    expect((await PDFDocument.load(merged)).getPageCount()).toBeGreaterThanOrEqual(4);
    const got = await parseInvoicesInFile(merged, opts);
    expect(got.map((g) => g.number)).toEqual([...MULTI_NUMBERS]);
    expect(got.map((g) => g.kind)).toEqual(['81', '82', '82']);
    for (const [i, g] of got.entries()) {
      expect(g.format).toBe('pdf');
      expect(g.fieldSources.number).toBe('pdf-text');
      expect(g.totals.total).toBe(invoices[i]?.doc.totals.total);
    }
    // The two-page invoice's lines come from both its pages.
    expect(got[1]?.lines).toHaveLength(30);
    expect(got[0]?.lines).toHaveLength(invoices[0]?.doc.lines.length ?? -1);
  }, 60_000);

  it('keeps a page without an invoice header with the invoice before it', async () => {
    const got = await parseInvoicesInFile(await concatPdfs(pdfs, 0), opts);
    expect(got.map((g) => g.number)).toEqual([...MULTI_NUMBERS]);
  }, 60_000);

  it('splits our own merged print (POST /api/v1/invoices/print, one invoice per sheet)', async () => {
    const got = await parseInvoicesInFile(await mergeInvoicePdfs(pdfs, 1), opts);
    expect(got.map((g) => g.number)).toEqual([...MULTI_NUMBERS]);
    expect(got.map((g) => g.totals.total)).toEqual(invoices.map((x) => x.doc.totals.total));
  }, 60_000);

  it('splits a merged print with two invoices per sheet (the print route’s default)', async () => {
    const merged = await mergeInvoicePdfs(pdfs, 2);
    const got = await parseInvoicesInFile(merged, opts);
    expect(got.map((g) => g.number)).toEqual([...MULTI_NUMBERS]);
    expect(got.map((g) => g.totals.total)).toEqual(invoices.map((x) => x.doc.totals.total));
    expect(got.map((g) => g.seller.taxId)).toEqual(invoices.map((x) => x.doc.seller.taxId));
    expect(got.map((g) => g.kind)).toEqual(['81', '82', '82']);
    expect(got[0]?.lines).toHaveLength(invoices[0]?.doc.lines.length ?? -1);
    // The two-page invoice's pages (bottom of sheet 1, top of sheet 2) read as its two pages: every line.
    expect(got[1]?.lines).toHaveLength(30);
    // One two-page invoice printed two-up (both pages on one sheet): one invoice, every line.
    const single = await parseInvoicesInFile(await mergeInvoicePdfs([pdfs[1] as Uint8Array], 2), opts);
    expect(single.map((g) => [g.number, g.lines.length])).toEqual([[MULTI_NUMBERS[1], 30]]);
    expect(single[0]?.warnings.filter((w) => w.code !== 'TAX_ID_CHECK_FAILED')).toEqual([]);
  }, 60_000);

  it('keeps a red invoice (its remark names the blue invoice’s number) as one invoice', async () => {
    const red = renderInvoiceDocuments(sampleInvoice({ red: true })).pdf;
    const alone = await parseInvoicesInFile(red, { ...opts, textLayerOnly: true });
    expect(alone).toHaveLength(1);
    expect(alone[0]?.isRed).toBe(true);
    const got = await parseInvoicesInFile(await concatPdfs([pdfs[0] as Uint8Array, red]), opts);
    expect(got.map((g) => g.number)).toEqual([MULTI_NUMBERS[0], alone[0]?.number]);
    const sheet = await parseInvoicesInFile(await mergeInvoicePdfs([red, pdfs[2] as Uint8Array], 2), opts);
    expect(sheet.map((g) => g.number)).toEqual([alone[0]?.number, MULTI_NUMBERS[2]]);
  }, 60_000);

  it('reads several embedded invoice XMLs as one invoice each', async () => {
    const doc = await PDFDocument.load(await concatPdfs(pdfs));
    for (const [i, x] of invoices.entries()) {
      await doc.attach(new Uint8Array(x.rendered.xml), `invoice-${i}.xml`, { mimeType: 'application/xml' });
    }
    const got = await parseInvoicesInFile(await doc.save(), opts);
    expect(got.map((g) => g.number)).toEqual([...MULTI_NUMBERS]);
    expect(got.every((g) => g.fieldSources.number === 'xml')).toBe(true);
    expect(got[1]?.lines).toHaveLength(30);
  }, 60_000);

  it('answers a single-invoice PDF (even of several pages) as one invoice, as parseInvoiceFile does', async () => {
    const single = await parseInvoicesInFile(pdfs[1] as Uint8Array, opts);
    expect(single).toHaveLength(1);
    expect(single[0]).toEqual(await parseInvoiceFile(pdfs[1] as Uint8Array, opts));
    const twoPages = await concatPdfs([pdfs[1] as Uint8Array]);
    const text = await parseInvoicesInFile(twoPages, opts);
    expect(text.map((g) => g.number)).toEqual([MULTI_NUMBERS[1]]);
    expect(text[0]?.lines).toHaveLength(30);
  }, 60_000);

  it('answers each real PDF fixture as the one invoice parseInvoiceFile reads (text layer too)', async () => {
    const fixtures = TRUTH.filter((t) => t.format === 'pdf');
    expect(fixtures.length).toBeGreaterThan(0);
    for (const t of fixtures) {
      for (const textLayerOnly of [false, true]) {
        const all = await parseInvoicesInFile(readFixture(t.file), { ...opts, textLayerOnly });
        expect(all.map((x) => x.number)).toEqual([t.invoiceNumber]);
        expect(all[0]).toEqual(await parseInvoiceFile(readFixture(t.file), { ...opts, textLayerOnly }));
      }
    }
  }, 60_000);
});
