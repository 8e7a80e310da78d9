import { describe, expect, it } from 'vitest';
import { isRateAllowedForCode, taxRatesForCode } from './tax-code-rates.js';
import { lookupTaxCode } from './tax-codes.js';

describe('taxRatesForCode', () => {
  it('allows a code its general rate, the simplified rates and 0, highest first', () => {
    const catering = lookupTaxCode('3070401000000000000')!;
    expect(taxRatesForCode(catering)).toEqual(['0.06', '0.05', '0.03', '0.01', '0']);
    const coal = lookupTaxCode('1020101000000000000')!;
    expect(taxRatesForCode(coal)).toEqual(['0.13', '0.05', '0.03', '0.01', '0']);
  });

  it('allows only the fixed rate of a code exempt by default', () => {
    const agency = lookupTaxCode('3040802010200000000')!;
    expect(taxRatesForCode(agency)).toEqual(['0']);
    expect(isRateAllowedForCode(agency, '0.06')).toBe(false);
    expect(isRateAllowedForCode(agency, '0.00')).toBe(true);
  });

  it('refuses another rate, accepting any spelling of an allowed one', () => {
    const catering = lookupTaxCode('3070401000000000000')!;
    expect(isRateAllowedForCode(catering, '0.13')).toBe(false);
    expect(isRateAllowedForCode(catering, '0.060')).toBe(true);
    expect(isRateAllowedForCode(catering, 'abc')).toBe(false);
  });
});
