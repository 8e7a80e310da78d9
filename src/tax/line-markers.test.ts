import { describe, expect, it } from 'vitest';
import { buyerDisplayName, isPersonalTitle } from './buyer-rules.js';
import { TaxDecimal } from './decimal.js';
import { LINE_NATURE_CODES, parseLineNatureCode } from './line-natures.js';
import {
  fromLegacyZeroRateFlag,
  isTaxPolicyFlag,
  printedRateLabel,
  printedTaxLabel,
  TAX_POLICY_FLAGS,
  taxTreatmentOf,
} from './tax-policy-flags.js';

describe('line natures (tax-rules §5.6)', () => {
  it('maps 乐企 and legacy codes, optionally swapped', () => {
    expect(LINE_NATURE_CODES).toEqual({ normal: '00', discount: '01', discounted: '02' });
    expect(['00', '0', '1', '02'].map((c) => parseLineNatureCode(c))).toEqual([
      'normal',
      'normal',
      'discount',
      'discounted',
    ]);
    expect(parseLineNatureCode('1', { swapDiscountCodes: true })).toBe('discounted');
    expect(parseLineNatureCode('3')).toBeNull();
  });
});

describe('tax policy flags (tax-rules §5.2)', () => {
  it('knows 01–18 and the treatments', () => {
    expect(TAX_POLICY_FLAGS).toHaveLength(18);
    expect(isTaxPolicyFlag('03')).toBe(true);
    expect(isTaxPolicyFlag('3')).toBe(false);
    const zero = new TaxDecimal(0);
    expect([
      taxTreatmentOf('03', zero),
      taxTreatmentOf('04', zero),
      taxTreatmentOf(undefined, zero),
      taxTreatmentOf('01', new TaxDecimal('0.03')),
    ]).toEqual(['exempt', 'non_taxable', 'zero_rated', 'taxable']);
    expect([
      printedRateLabel('exempt', zero),
      printedRateLabel('non_taxable', zero),
      printedRateLabel('zero_rated', zero),
    ]).toEqual(['免税', '不征税', '0%']);
    expect([printedTaxLabel('exempt', '0.00'), printedTaxLabel('taxable', '6.00')]).toEqual(['***', '6.00']);
  });

  it('maps legacy lslbs to 数电 flags', () => {
    expect(fromLegacyZeroRateFlag('1')).toEqual({ treatment: 'exempt', taxPolicyFlag: '03' });
    expect(fromLegacyZeroRateFlag('2')).toEqual({ treatment: 'non_taxable', taxPolicyFlag: '04' });
    expect(fromLegacyZeroRateFlag('3')).toEqual({ treatment: 'zero_rated' });
    expect(fromLegacyZeroRateFlag('0')).toEqual({ treatment: 'zero_rated' });
    expect(fromLegacyZeroRateFlag('0', { zeroMeansNormal: true })).toEqual({ treatment: 'taxable' });
    expect(fromLegacyZeroRateFlag('9')).toBeNull();
  });
});

describe('buyer titles (tax-rules §10)', () => {
  it('recognises 个人 titles and prints （个人）', () => {
    expect(['个人', '个人（张三）', '个人(张三)', '张三（个人）'].every(isPersonalTitle)).toBe(true);
    expect(isPersonalTitle('个人独资企业')).toBe(false);
    expect(buyerDisplayName('张三', true)).toBe('张三（个人）');
    expect(buyerDisplayName('个人', true)).toBe('个人');
    expect(buyerDisplayName('某公司', false)).toBe('某公司');
  });
});
