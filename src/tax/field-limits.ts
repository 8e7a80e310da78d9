/**
 * Field sizes from the 乐企 upload schema (tax-rules §5.5) and a length counter.
 * Whether 乐企 varchar lengths count characters or GBK bytes is not stated (Kingdee documents GBK bytes for
 * its own, shorter limits) — the unit is configurable; default counts characters.
 */

/** Maximum lengths of text fields (tax-rules §5.5, §10). */
export const FIELD_MAX_LENGTHS = {
  sellerName: 300,
  buyerName: 300,
  taxId: 20,
  address: 300,
  phone: 60,
  bankName: 120,
  bankAccount: 50,
  /** 货物或应税劳务、服务名称 `hwhyslwfwmc` (the seller's wording). */
  lineName: 300,
  /** 项目名称 `xmmc` = the rendered `*简称*名称`. */
  renderedLineName: 600,
  shortName: 120,
  spec: 150,
  unit: 300,
  taxCode: 19,
  /** 数量 and 单价 are varchar(25) decimal strings. */
  quantity: 25,
  unitPrice: 25,
  remark: 450,
  /** Red invoices: 备注 max 382 (tax-rules §8.1 item 5). */
  redRemark: 382,
} as const;

/** A field with a length limit. */
export type LimitedField = keyof typeof FIELD_MAX_LENGTHS;

/** How lengths are counted. */
export type LengthUnit = 'chars' | 'gbk-bytes';

/**
 * Length of `text` in Unicode code points, or in GBK bytes (ASCII = 1 byte, anything else = 2 bytes;
 * characters outside GBK are counted as 2 too).
 */
export function measureLength(text: string, unit: LengthUnit = 'chars'): number {
  let length = 0;
  for (const char of text) length += unit === 'gbk-bytes' && (char.codePointAt(0) ?? 0) > 0x7f ? 2 : 1;
  return length;
}
