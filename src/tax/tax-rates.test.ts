import { describe, expect, it } from 'vitest';
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
});
