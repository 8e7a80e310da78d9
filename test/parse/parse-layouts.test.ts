/**
 * Layouts nobody here has seen: random invoices drawn by a test-only pdf-lib generator the way other issuers differ
 * (foreign-layout.ts: offsets, font sizes 8–14 pt, colons, label/value gaps, values below the baseline, per-character
 * runs, party blocks side by side or stacked, random table columns, wrapped names, 1–2 pages) must parse back from
 * the text layer to the same key fields.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { InvoiceDocument } from '../../src/modules/documents/render/invoice-document.js';
import { parseInvoiceFile } from '../../src/parse/index.js';
import { renderForeignLayout } from './foreign-layout.js';
import { invoice } from './invoice-arbitrary.js';
import { CMAP_URL } from './parse-test-kit.js';

/** The red (负数) counterpart of an invoice: every figure negative, as a red-letter invoice prints them. */
function redden(doc: InvoiceDocument): InvoiceDocument {
  const neg = (v: string) => (/^0\.00$/.test(v) ? v : `-${v}`);
  const total = neg(doc.totals.total);
  return {
    ...doc,
    isRed: true,
    lines: doc.lines.map((l) => ({ ...l, amount: neg(l.amount), tax: neg(l.tax), taxLabel: neg(l.taxLabel) })),
    totals: {
      amount: neg(doc.totals.amount),
      tax: neg(doc.totals.tax),
      total,
      totalInWords: doc.totals.totalInWords,
    },
  };
}

const remark = fc.option(
  fc.constantFrom('项目编号：XM-2024-017', '合同号 HT20240315\n收款人：李四', '购方开户银行：工商银行', '差额征税'),
  { nil: null },
);

async function roundTrip(original: InvoiceDocument, seed: number, red: boolean, note: string | null) {
  const doc = { ...(red ? redden(original) : original), remark: note };
  const { pdf, layout } = await renderForeignLayout(doc, seed);
  const r = await parseInvoiceFile(pdf, { cMapUrl: CMAP_URL });
  const date = new Date(doc.issuedAt + 8 * 3600_000).toISOString().slice(0, 10);
  const got = {
    kind: r.kind,
    number: r.number,
    issueDate: r.issueDate,
    seller: r.seller,
    buyer: r.buyer,
    totals: r.totals,
    isRed: r.isRed,
    remark: r.remark?.replace(/\s+/g, '') ?? null,
    lines: r.lines.map((l) => [l.name, l.amount, l.taxAmount]),
  };
  const want = {
    kind: doc.kind,
    number: doc.number,
    issueDate: date,
    seller: { name: doc.seller.name, taxId: doc.seller.taxId },
    buyer: { name: doc.buyer.name, taxId: doc.buyer.taxId },
    totals: { amount: doc.totals.amount, tax: doc.totals.tax, total: doc.totals.total },
    isRed: doc.isRed,
    remark: doc.remark?.replace(/\s+/g, '') ?? null,
    lines: doc.lines.map((l) => [l.name, l.amount, l.tax]),
  };
  expect(got, JSON.stringify(layout)).toEqual(want);
  expect(Object.values(r.fieldSources).every((s) => s === 'pdf-text')).toBe(true);
}

describe('foreign layouts: PDFs drawn unlike ours parse back from their text layer', () => {
  it('key fields of random invoices in random layouts', async () => {
    await fc.assert(
      fc.asyncProperty(invoice, fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.boolean(), remark, roundTrip),
      {
        numRuns: Number(process.env.LAYOUT_RUNS ?? 100),
      },
    );
  }, 120_000);
});
