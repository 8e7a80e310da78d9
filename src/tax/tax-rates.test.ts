import { describe, expect, it } from 'vitest';
import { TaxDecimal } from './decimal.js';
import {
  allowedTaxRates,
  formatTaxRatePercent,
  isAllowedTaxRate,
  normalizeTaxRate,
  parseTaxRate,
} from './tax-rates.js';

describe('tax rates (tax-rules §5.1)', () => {
  it('parses the canonical form and refuses others with a reason', () => {
    expect(parseTaxRate('0.13')).toMatchObject({ ok: true, canonical: '0.13' });
    expect(parseTaxRate('0.130000')).toMatchObject({ ok: true, canonical: '0.13' });
    expect(parseTaxRate('13%')).toEqual({ ok: false, problem: 'percent' });
    expect(parseTaxRate(0.13)).toEqual({ ok: false, problem: 'format' });
    expect(parseTaxRate('0.1234567')).toEqual({ ok: false, problem: 'precision' });
    expect(parseTaxRate('1.3')).toEqual({ ok: false, problem: 'range' });
  });

  it('normalises file spellings to the canonical form', () => {
    expect(['13%', '0.130000', '0.13', '13', '1.5%'].map(normalizeTaxRate)).toEqual([
      '0.13',
      '0.13',
      '0.13',
      '0.13',
      '0.015',
    ]);
    expect(normalizeTaxRate('免税')).toBeNull();
    expect(formatTaxRatePercent('0.015')).toBe('1.5%');
  });

  it('allows historical rates on red invoices only, 0.5% only when opted in', () => {
    expect(isAllowedTaxRate('0.10')).toBe(false);
    expect(isAllowedTaxRate('0.10', { isRed: true })).toBe(true);
    expect(isAllowedTaxRate('0.005')).toBe(false);
    expect(isAllowedTaxRate('0.005', { allowUsedCarDealerRate: true })).toBe(true);
    expect(allowedTaxRates({ allowedRates: ['0.130'] })).toEqual(['0.13']);
  });

  it('answers as a decimal comparison with every allowed rate would, for any spelling and any options', () => {
    const spellings = [
      '0',
      '0.0',
      '0.000000',
      '0.13',
      '0.130',
      '0.1300',
      '0.1',
      '0.10',
      '0.015',
      '0.0150',
      '0.005',
      '0.17',
      '0.04',
      '0.040',
      '0.12',
      '0.0001',
      '0.5',
      '0.9',
    ];
    for (const isRed of [false, true]) {
      for (const allowUsedCarDealerRate of [false, true]) {
        for (const allowedRates of [undefined, ['0.130', '0.05']]) {
          const options = { isRed, allowUsedCarDealerRate, ...(allowedRates ? { allowedRates } : {}) };
          const list = allowedTaxRates(options);
          for (const rate of spellings) {
            const expected = list.some((allowed) => new TaxDecimal(rate).equals(allowed));
            expect(isAllowedTaxRate(rate, options), `${rate} ${JSON.stringify(options)}`).toBe(expected);
            expect(isAllowedTaxRate(new TaxDecimal(rate), options)).toBe(expected);
          }
        }
      }
    }
  });
});
