/**
 * 优惠政策标识 `yhzcbs` (数电/乐企, tax-rules §5.2) and the tax treatment of a line:
 * 免税 (03), 不征税 (04) and 零税率 (rate 0 without 03/04). Lines flagged 03/04 must have rate 0.
 */
import type { TaxDecimalValue } from './decimal.js';
import { formatTaxRatePercent } from './tax-rates.js';

/** `yhzcbs` codes 01–18 with their Chinese names (tax-rules §5.2, S-LQ). */
export const TAX_POLICY_FLAG_NAMES = {
  '01': '简易征收',
  '02': '稀土产品',
  '03': '免税',
  '04': '不征税',
  '05': '先征后退',
  '06': '100%先征后退',
  '07': '50%先征后退',
  '08': '按3%简易征收',
  '09': '按5%简易征收',
  '10': '按5%简易征收减按1.5%计征',
  '11': '即征即退30%',
  '12': '即征即退50%',
  '13': '即征即退70%',
  '14': '即征即退100%',
  '15': '超税负3%即征即退',
  '16': '超税负8%即征即退',
  '17': '超税负12%即征即退',
  '18': '超税负6%即征即退',
} as const;

/** A `yhzcbs` code. */
export type TaxPolicyFlag = keyof typeof TAX_POLICY_FLAG_NAMES;

/** All `yhzcbs` codes. */
export const TAX_POLICY_FLAGS = Object.keys(TAX_POLICY_FLAG_NAMES) as readonly TaxPolicyFlag[];

/** True when `value` is a `yhzcbs` code. */
export function isTaxPolicyFlag(value: unknown): value is TaxPolicyFlag {
  return typeof value === 'string' && Object.hasOwn(TAX_POLICY_FLAG_NAMES, value);
}

/** Flags that fix the rate: 03/04 → 0, 08 → 3%, 09 → 5%, 10 → 1.5% (tax-rules §5.2). */
export const TAX_POLICY_FLAG_RATES: Readonly<Partial<Record<TaxPolicyFlag, string>>> = {
  '03': '0',
  '04': '0',
  '08': '0.03',
  '09': '0.05',
  '10': '0.015',
};

/** Tax treatment of a line. */
export const TAX_TREATMENTS = ['taxable', 'exempt', 'non_taxable', 'zero_rated'] as const;

/** A tax treatment: 应税, 免税, 不征税, 零税率. */
export type TaxTreatment = (typeof TAX_TREATMENTS)[number];

/** Derives the treatment from the flag and rate. */
export function taxTreatmentOf(flag: TaxPolicyFlag | undefined, rate: TaxDecimalValue): TaxTreatment {
  if (flag === '03') return 'exempt';
  if (flag === '04') return 'non_taxable';
  return rate.isZero() ? 'zero_rated' : 'taxable';
}

/** Printed 税率 column: "免税", "不征税" or the percentage ("13%", "0%") — tax-rules §5.2 [M]. */
export function printedRateLabel(treatment: TaxTreatment, rate: TaxDecimalValue): string {
  if (treatment === 'exempt') return '免税';
  if (treatment === 'non_taxable') return '不征税';
  return formatTaxRatePercent(rate);
}

/** Printed 税额 column: "***" for 免税/不征税, otherwise the amount (tax-rules §5.2 [M]). */
export function printedTaxLabel(treatment: TaxTreatment, tax: string): string {
  return treatment === 'exempt' || treatment === 'non_taxable' ? '***' : tax;
}

/**
 * Maps legacy `lslbs` 零税率标识 to the 数电 representation (tax-rules §5.2): 1 → flag 03, 2 → flag 04,
 * 0/3 → zero-rated without flag. S-FPA uses "0" for "normal" — pass `zeroMeansNormal` for such integrations.
 * Returns null for unknown codes.
 */
export function fromLegacyZeroRateFlag(
  lslbs: string,
  options: { zeroMeansNormal?: boolean } = {},
): { treatment: TaxTreatment; taxPolicyFlag?: TaxPolicyFlag } | null {
  switch (lslbs.trim()) {
    case '':
      return { treatment: 'taxable' };
    case '0':
      return options.zeroMeansNormal ? { treatment: 'taxable' } : { treatment: 'zero_rated' };
    case '1':
      return { treatment: 'exempt', taxPolicyFlag: '03' };
    case '2':
      return { treatment: 'non_taxable', taxPolicyFlag: '04' };
    case '3':
      return { treatment: 'zero_rated' };
    default:
      return null;
  }
}
