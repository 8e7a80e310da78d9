/**
 * Type codes found in field [1] of an invoice QR payload (tax-rules §1.1 last column, §3).
 * Codes 20, 33, 34 and 61 come from a single source (tax-rules §11.3) — kept for parsing, flagged [L/M].
 */

/** Known QR type codes. */
export const QR_TYPE_CODES = [
  '01',
  '02',
  '03',
  '04',
  '10',
  '11',
  '14',
  '15',
  '20',
  '31',
  '32',
  '33',
  '34',
  '51',
  '61',
] as const;

/** A known QR type code. */
export type QrTypeCode = (typeof QR_TYPE_CODES)[number];

/** Chinese names of the QR type codes. */
export const QR_TYPE_NAMES: Readonly<Record<QrTypeCode, string>> = {
  '01': '增值税专用发票',
  '02': '货物运输业增值税专用发票',
  '03': '机动车销售统一发票',
  '04': '增值税普通发票',
  '10': '增值税电子普通发票',
  '11': '增值税普通发票（卷式）',
  '14': '增值税电子普通发票（通行费）',
  '15': '二手车销售统一发票',
  '20': '增值税电子专用发票',
  '31': '电子发票（增值税专用发票）',
  '32': '电子发票（普通发票）',
  '33': '电子发票（机动车销售统一发票）',
  '34': '电子发票（二手车销售统一发票）',
  '51': '电子发票（铁路电子客票）',
  '61': '电子发票（航空运输电子客票行程单）',
};

/** True when `value` is one of {@link QR_TYPE_CODES}. */
export function isQrTypeCode(value: unknown): value is QrTypeCode {
  return typeof value === 'string' && (QR_TYPE_CODES as readonly string[]).includes(value);
}
