import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeInvoiceTotals } from './compute-invoice-totals.js';
import { computeLine } from './compute-line.js';
import { TaxDecimal } from './decimal.js';
import { CURRENT_TAX_RATES } from './tax-rates.js';

describe('computeInvoiceTotals', () => {
  it('sums line taxes instead of recomputing tax on the total (tax-rules §5.3)', () => {
    // Three lines of 0.05 at 13%: each tax round2(0.0065) = 0.01 → Σ 0.03, whereas round2(0.15 × 0.13) = 0.02.
    const lines = [1, 2, 3].map(() => computeLine({ amount: '0.05', taxRate: '0.13' }));
    expect(computeInvoiceTotals(lines)).toMatchObject({
      amount: '0.15',
      tax: '0.03',
      total: '0.18',
      totalInWords: '壹角捌分',
    });
  });

  it('handles an empty list and red totals', () => {
    expect(computeInvoiceTotals([]).totalInWords).toBe('零圆整');
    expect(computeInvoiceTotals([{ amountFen: -50000, taxFen: -6500 }])).toMatchObject({
      total: '-565.00',
      totalInWords: '（负数）伍佰陆拾伍圆整',
    });
  });

  it('property: totals equal the sums of the lines, in fen and in decimal strings', () => {
    const line = fc.record({
      fen: fc.integer({ min: -1e10, max: 1e10 }),
      rate: fc.constantFrom(...CURRENT_TAX_RATES),
      incl: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 50 }), (specs) => {
        const lines = specs.map((s) =>
          computeLine({ amount: (s.fen / 100).toFixed(2), taxRate: s.rate, priceIncludesTax: s.incl }),
        );
        const totals = computeInvoiceTotals(lines);
        const sum = (pick: (l: (typeof lines)[number]) => string) =>
          lines.reduce((acc, l) => acc.plus(pick(l)), new TaxDecimal(0));
        expect(totals.amount).toBe(sum((l) => l.amount).toFixed(2));
        expect(totals.tax).toBe(sum((l) => l.tax).toFixed(2));
        expect(totals.total).toBe(sum((l) => l.total).toFixed(2));
        expect(totals.totalFen).toBe(totals.amountFen + totals.taxFen);
      }),
    );
  });
});
