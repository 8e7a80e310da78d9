import { describe, expect, it } from 'vitest';
import { renderInvoiceDocuments } from './render-invoice-documents.js';
import { decodeQr, hasPdftoppm, readPdf, renderPagePng } from './render-test-kit.js';
import { sampleInvoice } from './sample-invoices.js';

const squash = (s: string) => s.replace(/\s+/g, '');

describe('invoice PDF', () => {
  it('carries every field as extractable text and the XML as an embedded file', async () => {
    const doc = sampleInvoice({ kind: '81' });
    const { pdf, xml } = renderInvoiceDocuments(doc);
    const { pages, attachments } = await readPdf(pdf);
    expect(pages).toHaveLength(1);
    const text = squash(pages[0] ?? '');
    const fields = [
      '电子发票（增值税专用发票）',
      '发票号码：',
      doc.number,
      '开票日期：2025年06月01日',
      doc.buyer.name,
      doc.buyer.taxId,
      doc.seller.name,
      doc.seller.taxId,
      '项目名称',
      '税率/征收率',
      ...doc.lines.flatMap((l) => [l.amount, l.taxRateLabel, l.taxLabel]),
      'A00',
      '吨',
      `¥${doc.totals.amount}`,
      `¥${doc.totals.tax}`,
      '价税合计（大写）',
      doc.totals.totalInWords,
      '（小写）',
      `¥${doc.totals.total}`,
      doc.remark,
      '开票人：',
      '王小明',
    ];
    for (const field of fields) expect(text).toContain(squash(field ?? ''));
    for (const line of doc.lines) expect(text).toContain(line.name.slice(0, 8));
    expect(attachments[`${doc.number}.xml`]?.equals(xml)).toBe(true);
  });

  it('is small and deterministic', () => {
    const doc = sampleInvoice();
    const first = renderInvoiceDocuments(doc).pdf;
    expect(first.length).toBeLessThan(50 * 1024);
    expect(renderInvoiceDocuments(doc).pdf.equals(first)).toBe(true);
  });

  it('marks red invoices and prints the red remark', async () => {
    const doc = sampleInvoice({ red: true });
    const text = squash((await readPdf(renderInvoiceDocuments(doc).pdf)).pages[0] ?? '');
    expect(text).toContain('红字发票');
    expect(text).toContain(squash(doc.remark ?? ''));
    expect(text).toContain(`¥${doc.totals.total}`);
    expect(doc.totals.totalInWords.startsWith('（负数）')).toBe(true);
    expect(text).toContain(doc.totals.totalInWords);
  });

  it('flows 100 lines over 13 pages with the header repeated and the totals on the last page only', async () => {
    const doc = sampleInvoice({ lineCount: 100 });
    const { pages } = await readPdf(renderInvoiceDocuments(doc).pdf);
    expect(pages).toHaveLength(13);
    pages.forEach((page, i) => {
      const text = squash(page);
      expect(text).toContain(doc.number);
      expect(text).toContain('项目名称');
      expect(text).toContain(`共13页第${i + 1}页`);
      expect(text.includes(`¥${doc.totals.total}`)).toBe(i === 12);
    });
    const all = pages.map(squash).join('');
    for (let n = 1; n <= 100; n++) expect(all).toContain(`第${n}号服务`);
  });

  it.skipIf(!hasPdftoppm)('has a QR code that decodes to the official payload', async () => {
    const doc = sampleInvoice({ kind: '81' });
    const png = renderPagePng(renderInvoiceDocuments(doc).pdf, 100);
    expect(await decodeQr(png)).toEqual([doc.qrPayload]);
  });
});
