import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeLine, taxFromExclusive, taxFromInclusive } from './compute-line.js';
import { TaxDecimal } from './decimal.js';
import { CURRENT_TAX_RATES } from './tax-rates.js';

const fenAmount = (max: number) => fc.integer({ min: 1, max }).map((fen) => (fen / 100).toFixed(2));
const rate = fc.constantFrom(...CURRENT_TAX_RATES);

describe('computeLine — worked examples (tax-rules §5.3)', () => {
  it('100.00 incl. 13% → tax 11.50, amount 88.50', () => {
    expect(computeLine({ amount: '100.00', taxRate: '0.13', priceIncludesTax: true })).toMatchObject({
      amount: '88.50',
      tax: '11.50',
      total: '100.00',
      amountFen: 8850,
      taxFen: 1150,
      totalFen: 10000,
    });
  });

  it('3 × 33.33 excl. 6% → 99.99 + 6.00 = 105.99', () => {
    expect(computeLine({ amount: '99.99', taxRate: '0.06', quantity: '3', unitPrice: '33.33' })).toMatchObject({
      amount: '99.99',
      tax: '6.00',
      total: '105.99',
      quantity: '3',
      unitPrice: '33.33',
    });
  });

  it('数电专票 fixture: 27969.03 at 13% → 3635.97, 价税合计 31605.00', () => {
    expect(computeLine({ amount: '27969.03', taxRate: '0.13' })).toMatchObject({ tax: '3635.97', total: '31605.00' });
  });

  it('Didi line: 单价 129.757282 × 1 = 129.76 at 3% → 3.89', () => {
    expect(computeLine({ amount: '129.76', taxRate: '0.03', quantity: '1', unitPrice: '129.757282' })).toMatchObject({
      tax: '3.89',
      unitPrice: '129.757282',
    });
  });

  it('real 数电 fixtures: 4197.17 at 6% → 251.83; 2129.34 at 1% → 21.29', () => {
    expect(computeLine({ amount: '4197.17', taxRate: '0.06' }).total).toBe('4449.00');
    expect(computeLine({ amount: '2129.34', taxRate: '0.01' }).total).toBe('2150.63');
  });

  it('5% 减按 1.5% (yhzcbs 10): incl. uses ÷1.05 by default, ÷1.035 when configured', () => {
    const input = { amount: '10500.00', taxRate: '0.015', priceIncludesTax: true, taxPolicyFlag: '10' as const };
    expect(computeLine(input)).toMatchObject({ tax: '150.00', amount: '10350.00' });
    expect(computeLine(input, { reducedRateDivisor: '1.035' }).tax).toBe('152.17');
    expect(computeLine({ ...input, priceIncludesTax: false }).tax).toBe('157.50');
  });

  it('derives the tax-exclusive unit price for tax-inclusive lines at full precision', () => {
    const line = computeLine({
      amount: '100.00',
      taxRate: '0.13',
      priceIncludesTax: true,
      quantity: '3',
      unitPrice: '33.3333333333',
    });
    expect(line.unitPrice).toBe('29.5');
    expect(
      computeLine({ amount: '116.00', taxRate: '0.06', priceIncludesTax: true, quantity: '1', unitPrice: '116' })
        .unitPrice,
    ).toBe('109.43');
  });

  it('keeps a supplied tax and reports the computed one', () => {
    expect(computeLine({ amount: '100.00', taxRate: '0.13', taxAmount: '13.05' })).toMatchObject({
      tax: '13.05',
      computedTax: '13.00',
      total: '113.05',
    });
  });

  it('mirrors red amounts (half-up away from zero)', () => {
    expect(computeLine({ amount: '-0.50', taxRate: '0.13' }).tax).toBe('-0.07');
    expect(computeLine({ amount: '0.50', taxRate: '0.13' }).tax).toBe('0.07');
  });
});

describe('computeLine — properties', () => {
  it('tax-exclusive lines: |tax − amount×rate| ≤ 0.005 and total = amount + tax', () => {
    fc.assert(
      fc.property(fenAmount(1e12), rate, (amount, r) => {
        const line = computeLine({ amount, taxRate: r });
        expect(new TaxDecimal(line.tax).minus(new TaxDecimal(amount).times(r)).abs().lte('0.005')).toBe(true);
        expect(line.totalFen).toBe(line.amountFen + line.taxFen);
      }),
    );
  });

  it('tax-inclusive lines: amount + tax = given total and |tax − amount×rate| ≤ (1+rate)×0.005', () => {
    fc.assert(
      fc.property(fenAmount(1e12), rate, (total, r) => {
        const line = computeLine({ amount: total, taxRate: r, priceIncludesTax: true });
        expect(line.total).toBe(total);
        const error = new TaxDecimal(line.tax).minus(new TaxDecimal(line.amount).times(r)).abs();
        expect(error.lte(new TaxDecimal(r).plus(1).times('0.005'))).toBe(true);
      }),
    );
  });

  it('excl → incl round trip stays within 0.01 on amount and tax', () => {
    fc.assert(
      fc.property(fenAmount(1e12), rate, (amount, r) => {
        const excl = computeLine({ amount, taxRate: r });
        const incl = computeLine({ amount: excl.total, taxRate: r, priceIncludesTax: true });
        expect(Math.abs(incl.amountFen - excl.amountFen)).toBeLessThanOrEqual(1);
        expect(Math.abs(incl.taxFen - excl.taxFen)).toBeLessThanOrEqual(1);
        expect(incl.totalFen).toBe(excl.totalFen);
      }),
    );
  });

  it('negating the input negates every output (red mirrors blue)', () => {
    fc.assert(
      fc.property(fenAmount(1e10), rate, fc.boolean(), (amount, r, incl) => {
        const blue = computeLine({ amount, taxRate: r, priceIncludesTax: incl });
        const red = computeLine({ amount: `-${amount}`, taxRate: r, priceIncludesTax: incl });
        const negate = (n: number) => (n === 0 ? 0 : -n);
        expect([red.amountFen, red.taxFen, red.totalFen]).toEqual(
          [blue.amountFen, blue.taxFen, blue.totalFen].map(negate),
        );
      }),
    );
  });

  it('taxFromInclusive and taxFromExclusive agree on exact multiples', () => {
    expect(taxFromExclusive('100', '0.13').toFixed(2)).toBe('13.00');
    expect(taxFromInclusive('113', '0.13').toFixed(2)).toBe('13.00');
  });
});
