/**
 * Red-letter (红字) rules that are pure (tax-rules §8): 冲红原因 codes, the required red remark, and the
 * reason/line-type compatibility.
 */
import type { InvoiceKind } from './invoice-kinds.js';
import { getInvoiceKindInfo } from './invoice-kinds.js';
import { taxCodeClass } from './tax-codes.js';

/** 冲红原因 `chyyDm` (tax-rules §8.1 item 3 [H]). */
export const RED_REASONS = ['01', '02', '03', '04'] as const;

/** A 冲红原因 code. */
export type RedReason = (typeof RED_REASONS)[number];

/** Name of each reason and whether partial reversal is allowed (partial: 02/03/04 only, §8.1 [M]). */
export const RED_REASON_INFO: Readonly<Record<RedReason, { readonly name: string; readonly allowsPartial: boolean }>> =
  {
    '01': { name: '开票有误', allowsPartial: false },
    '02': { name: '销货退回', allowsPartial: true },
    '03': { name: '服务中止', allowsPartial: true },
    '04': { name: '销售折让', allowsPartial: true },
  };

/** True when `value` is one of {@link RED_REASONS}. */
export function isRedReason(value: unknown): value is RedReason {
  return typeof value === 'string' && (RED_REASONS as readonly string[]).includes(value);
}

/** References written into a red invoice's remark. */
export type RedRemarkInput =
  | { readonly type: 'digital'; readonly blueInvoiceNumber: string; readonly confirmationFormNumber: string }
  | { readonly type: 'legacy_special'; readonly infoTableNumber: string }
  | { readonly type: 'legacy_ordinary'; readonly blueInvoiceCode: string; readonly blueInvoiceNumber: string };

/**
 * The required red remark: 数电 `被红冲蓝字数电票号码：<20> 红字发票信息确认单编号：<20>` (§8.1 item 6 [H]);
 * legacy 专票 `开具红字增值税专用发票信息表编号<16>` (§8.2 [H]); legacy 普票 `对应正数发票代码:<code> 号码:<number>` (§8.2 [M]).
 */
export function buildRedRemark(input: RedRemarkInput): string {
  switch (input.type) {
    case 'digital':
      return `被红冲蓝字数电票号码：${input.blueInvoiceNumber} 红字发票信息确认单编号：${input.confirmationFormNumber}`;
    case 'legacy_special':
      return `开具红字增值税专用发票信息表编号${input.infoTableNumber}`;
    case 'legacy_ordinary':
      return `对应正数发票代码:${input.blueInvoiceCode} 号码:${input.blueInvoiceNumber}`;
  }
}

/** True when `remark` carries the red references required for a red invoice of `kind`. */
export function hasRequiredRedRemark(kind: InvoiceKind, remark: string | undefined): boolean {
  const text = remark ?? '';
  const info = getInvoiceKindInfo(kind);
  if (info.isDigital) return /被红冲蓝字数电票号码：\d{20}/.test(text);
  if (info.isSpecial) return /开具红字增值税专用发票信息表编号\d{16}/.test(text);
  return /对应正数发票代码:\s*\d{10,12}\s*号码:\s*\d{8}/.test(text);
}

/**
 * Reason vs blue line types (§8.1 item 3 [M]): 02 销货退回 is not allowed when every blue line is a service
 * (code class 3); 03 服务中止 is not allowed when every blue line is goods or labour (classes 1–2).
 * Returns null when allowed, else a Chinese explanation.
 */
export function redReasonProblem(reason: RedReason, blueTaxCodes: readonly string[]): string | null {
  const classes = blueTaxCodes.map(taxCodeClass);
  if (classes.length === 0) return null;
  if (reason === '02' && classes.every((c) => c === 'services')) return '蓝字发票明细均为服务，不能以销货退回红冲';
  if (reason === '03' && classes.every((c) => c === 'goods' || c === 'labour'))
    return '蓝字发票明细均为货物或劳务，不能以服务中止红冲';
  return null;
}
