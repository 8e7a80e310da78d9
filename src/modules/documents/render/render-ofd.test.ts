import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { parseTtf } from './font/ttf-font.js';
import { printedDate } from './invoice-document.js';
import { renderInvoiceDocuments } from './render-invoice-documents.js';
import { sampleInvoice } from './sample-invoices.js';

const text = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('utf8');

describe('invoice OFD', () => {
  const doc = sampleInvoice({ kind: '81' });
  const { ofd, xml } = renderInvoiceDocuments(doc);
  const files = unzipSync(new Uint8Array(ofd));

  it('is an OFD package: OFD.xml → Document.xml → pages, resources, tags and the XML attachment', () => {
    expect(Object.keys(files).sort()).toEqual([
      `Doc_0/Attachs/${doc.number}.xml`,
      'Doc_0/Attachs/Attachments.xml',
      'Doc_0/Document.xml',
      'Doc_0/DocumentRes.xml',
      'Doc_0/Pages/Page_0/Content.xml',
      'Doc_0/PublicRes.xml',
      'Doc_0/Res/font_subset.ttf',
      'Doc_0/Res/qr.png',
      'Doc_0/Tags/CustomTag.xml',
      'Doc_0/Tags/CustomTags.xml',
      'OFD.xml',
    ]);
    expect(text(files['OFD.xml'])).toContain('<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>');
    expect(text(files['Doc_0/Document.xml'])).toContain('BaseLoc="Pages/Page_0/Content.xml"');
    expect(Buffer.from(files[`Doc_0/Attachs/${doc.number}.xml`] ?? []).equals(xml)).toBe(true);
    const font = parseTtf(Buffer.from(files['Doc_0/Res/font_subset.ttf'] ?? []));
    expect(font.glyphOf('发'.codePointAt(0) ?? 0)).toBeGreaterThan(0);
    expect(text(files['Doc_0/Res/qr.png']).slice(1, 4)).toBe('PNG');
  });

  it('carries the invoice fields in CustomData, as real 数电 OFDs do', () => {
    const ofdXml = text(files['OFD.xml']);
    const expected = {
      发票号码: doc.number,
      开票日期: printedDate(doc.issuedAt),
      合计金额: doc.totals.amount,
      合计税额: doc.totals.tax,
      价税合计: doc.totals.total,
      购买方纳税人识别号: doc.buyer.taxId,
      销售方纳税人识别号: doc.seller.taxId,
    };
    for (const [name, value] of Object.entries(expected)) {
      expect(ofdXml).toContain(`<ofd:CustomData Name="${name}">${value}</ofd:CustomData>`);
    }
  });

  it('draws the fields as page text, with lines and the QR image, and tags them', () => {
    const page = text(files['Doc_0/Pages/Page_0/Content.xml']);
    const codes = [...page.matchAll(/<ofd:TextCode[^>]*>([^<]*)<\/ofd:TextCode>/g)].map((m) => m[1]).join('');
    for (const field of [
      doc.number,
      doc.buyer.name,
      doc.seller.name,
      doc.totals.totalInWords,
      `¥${doc.totals.total}`,
    ]) {
      expect(codes).toContain(field);
    }
    expect(page).toContain('<ofd:PathObject');
    expect(page).toMatch(/<ofd:ImageObject [^>]*ResourceID="\d+"/);
    const tags = text(files['Doc_0/Tags/CustomTag.xml']);
    for (const tag of ['InvoiceNo', 'IssueDate', 'BuyerName', 'BuyerTaxID', 'SellerName', 'SellerTaxID']) {
      expect(tags).toContain(`<ofd:${tag}>`);
    }
  });
});
