import { describe, expect, it } from 'vitest';
import { parseInvoiceFile } from '../../src/parse/index.js';
import { CMAP_URL, KIND_CODES, readFixture, TRUTH, type Truth } from './parse-test-kit.js';

const documents = TRUTH.filter((t) => t.format !== 'image');
/** The air-ticket specimen carries placeholder values: only its kind and the readable figures are checked. */
const isSpecimen = (t: Truth) => t.notes?.includes('SPECIMEN') === true;

function expectTruth(t: Truth, r: Awaited<ReturnType<typeof parseInvoiceFile>>) {
  expect(r.kind).toBe(KIND_CODES[t.kind]);
  expect(r.totals.total).toBe(t.totalInclTax);
  expect(r.totals.tax).toBe(t.taxAmount);
  if (isSpecimen(t)) return;
  expect(r.number).toBe(t.invoiceNumber);
  expect(r.code).toBe(t.invoiceCode);
  expect(r.issueDate).toBe(t.issueDate);
  expect(r.checkCode).toBe(t.checkCode);
  expect(r.buyer).toEqual({ name: t.buyerName, taxId: t.buyerTaxId });
  expect(r.seller).toEqual({ name: t.sellerName, taxId: t.sellerTaxId });
  expect(r.totals.amount).toBe(t.amountExclTax);
}

describe('parser on the real invoice fixtures (truth.json)', () => {
  for (const t of documents) {
    it(`reads ${t.file}`, async () => {
      const r = await parseInvoiceFile(readFixture(t.file), { cMapUrl: CMAP_URL });
      expect(r.format).toBe(t.format);
      expectTruth(t, r);
      if (t.lineItemCount !== null && !isSpecimen(t)) expect(r.lines).toHaveLength(t.lineItemCount);
      expect(r.warnings.filter((w) => w.code === 'TOTALS_MISMATCH' || w.code === 'QR_MISMATCH')).toEqual([]);
    });
  }

  for (const t of documents) {
    it(`reads ${t.file} from the printed text alone (embedded XML and tags ignored)`, async () => {
      const r = await parseInvoiceFile(readFixture(t.file), { cMapUrl: CMAP_URL, textLayerOnly: true });
      expectTruth(t, r);
      expect(Object.values(r.fieldSources).every((s) => s === 'ofd' || s === 'pdf-text')).toBe(true);
      // The item table too, 999.ofd's 100 lines from its four 销货清单 pages (序号 column, right-aligned amounts).
      if (t.lineItemCount !== null && !isSpecimen(t)) {
        expect(r.lines).toHaveLength(t.lineItemCount);
        const sum = r.lines.reduce((s, l) => s + Math.round(Number(l.amount) * 100), 0);
        expect((sum / 100).toFixed(2)).toBe(t.amountExclTax);
      }
    });
  }

  it('reads the air e-ticket specimen as 航空运输电子客票行程单 with its passenger and fare', async () => {
    const r = await parseInvoiceFile(readFixture('ofdrw__ofdrw/xbrl-001.pdf'), { cMapUrl: CMAP_URL });
    expect(r.kind).toBe('61');
    expect(r.passenger).toMatchObject({ name: '王某某', trip: 'CZ8866', fare: '522.93', tax: '47.07' });
    expect(r.seller.name).toBe('中国南方航空股份有限公司');
    expect(r.warnings.map((w) => w.code)).toContain('NUMBER_STRUCTURE');
  });

  it('flags a USCC with a wrong check character (999.ofd seller) without refusing the file', async () => {
    const r = await parseInvoiceFile(readFixture('ofdrw__ofdrw/999.ofd'), { cMapUrl: CMAP_URL });
    expect(r.warnings).toContainEqual(expect.objectContaining({ code: 'TAX_ID_CHECK_FAILED', field: 'seller.taxId' }));
  });
});
