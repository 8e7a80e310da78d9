/**
 * 查验 (verification) type codes, as derived by the STA verification page (tax-rules §1.1, §2.2, §4).
 * Vendors differ for 数电票 (81/82 vs 31/32 vs 09/90, tax-rules §11.7): this is our canonical enum.
 */

/** Known verification type codes. */
export const VERIFICATION_TYPE_CODES = [
  '01',
  '02',
  '03',
  '04',
  '08',
  '10',
  '11',
  '14',
  '15',
  '51',
  '61',
  '81',
  '82',
  '83',
  '84',
  '85',
  '86',
  '87',
  '88',
] as const;

/** A known verification type code. */
export type VerificationTypeCode = (typeof VERIFICATION_TYPE_CODES)[number];

/** Chinese names of the verification type codes. */
export const VERIFICATION_TYPE_NAMES: Readonly<Record<VerificationTypeCode, string>> = {
  '01': '增值税专用发票',
  '02': '货物运输业增值税专用发票',
  '03': '机动车销售统一发票',
  '04': '增值税普通发票',
  '08': '增值税电子专用发票',
  '10': '增值税电子普通发票',
  '11': '增值税普通发票（卷式）',
  '14': '增值税电子普通发票（通行费）',
  '15': '二手车销售统一发票',
  '51': '电子发票（铁路电子客票）',
  '61': '电子发票（航空运输电子客票行程单）',
  '81': '电子发票（增值税专用发票）',
  '82': '电子发票（普通发票）',
  '83': '电子发票（机动车销售统一发票）',
  '84': '电子发票（二手车销售统一发票）',
  '85': '纸质发票（增值税专用发票）',
  '86': '纸质发票（普通发票）',
  '87': '纸质发票（机动车销售统一发票）',
  '88': '纸质发票（二手车销售统一发票）',
};

/** True when `value` is one of {@link VERIFICATION_TYPE_CODES}. */
export function isVerificationTypeCode(value: unknown): value is VerificationTypeCode {
  return typeof value === 'string' && (VERIFICATION_TYPE_CODES as readonly string[]).includes(value);
}
