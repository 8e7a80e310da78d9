/**
 * The renderer as oracle: any valid invoice we issue, rendered to PDF, OFD and XML, parses back to the same fields —
 * through the embedded XML, and through the printed text alone (the path unseen issuers' files take).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { InvoiceDocument } from '../../src/modules/documents/render/invoice-document.js';
import { renderInvoiceDocuments } from '../../src/modules/documents/render/render-invoice-documents.js';
import { sampleInvoice } from '../../src/modules/documents/render/sample-invoices.js';
import { type ParsedInvoice, parseInvoiceFile } from '../../src/parse/index.js';
import { invoice } from './invoice-arbitrary.js';
import { CMAP_URL } from './parse-test-kit.js';

function expectSameFields(doc: InvoiceDocument, r: ParsedInvoice, withLines: boolean) {
  const date = new Date(doc.issuedAt + 8 * 3600_000).toISOString().slice(0, 10);
  expect(r.kind).toBe(doc.kind);
  expect(r.number).toBe(doc.number);
  expect(r.issueDate).toBe(date);
  expect(r.seller).toEqual({ name: doc.seller.name, taxId: doc.seller.taxId });
  expect(r.buyer).toEqual({ name: doc.buyer.name, taxId: doc.buyer.taxId });
  expect(r.totals).toEqual({ amount: doc.totals.amount, tax: doc.totals.tax, total: doc.totals.total });
  expect(r.warnings).toEqual([]);
  if (withLines) {
    expect(r.lines.map((l) => [l.name, l.amount, l.taxRate, l.taxAmount])).toEqual(
      doc.lines.map((l) => [l.name, l.amount, l.taxRate, l.tax]),
    );
  }
}

describe('round trip: our rendered invoices parse back to their fields', () => {
  it('through the embedded/structured XML of PDF, OFD and XML', async () => {
    await fc.assert(
      fc.asyncProperty(invoice, async (doc) => {
        const files = renderInvoiceDocuments(doc);
        for (const bytes of [files.xml, files.ofd, files.pdf]) {
          const r = await parseInvoiceFile(bytes, { cMapUrl: CMAP_URL });
          expectSameFields(doc, r, true);
          expect(r.overallConfidence).toBe(1);
        }
      }),
      { numRuns: 15 },
    );
  });

  it('through the printed text alone (PDF text layer, OFD page layer)', async () => {
    await fc.assert(
      fc.asyncProperty(invoice, async (doc) => {
        const files = renderInvoiceDocuments(doc);
        for (const bytes of [files.ofd, files.pdf]) {
          const r = await parseInvoiceFile(bytes, { cMapUrl: CMAP_URL, textLayerOnly: true });
          expectSameFields(doc, r, true);
          expect(Object.values(r.fieldSources).every((s) => s === 'ofd' || s === 'pdf-text')).toBe(true);
        }
      }),
      { numRuns: 15 },
    );
  });

  it('through the printed text of a red invoice and of a multi-page invoice (totals on the last page)', async () => {
    for (const doc of [sampleInvoice({ kind: '82', red: true }), sampleInvoice({ kind: '81', lineCount: 30 })]) {
      const files = renderInvoiceDocuments(doc);
      for (const bytes of [files.ofd, files.pdf]) {
        const r = await parseInvoiceFile(bytes, { cMapUrl: CMAP_URL, textLayerOnly: true });
        expect(r.number).toBe(doc.number);
        expect(r.totals).toEqual({ amount: doc.totals.amount, tax: doc.totals.tax, total: doc.totals.total });
        expect(r.isRed).toBe(doc.isRed);
        expect(r.lines.map((l) => l.amount)).toEqual(doc.lines.map((l) => l.amount));
      }
    }
  });
});
