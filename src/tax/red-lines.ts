/**
 * Red (negative) lines from blue lines (tax-rules §8.1): full reversal negates every blue line; a partial red
 * (reasons 02/03/04 only) may not exceed what remains of each blue line after earlier reds.
 */
import { formatMoney, roundHalfUp, TaxDecimal, type TaxDecimalValue, toFen } from './decimal.js';
import { checkMoney } from './field-checks.js';
import { isRedReason, RED_REASON_INFO, redReasonProblem } from './red-letter.js';
import { type Violation, violation } from './violations.js';

/** A blue line as stored (2-dp strings; quantity/unit price optional). */
export interface BlueLine {
  /** 明细序号, from 1. */
  readonly lineNo: number;
  readonly amount: string;
  readonly tax: string;
  readonly taxRate: string;
  readonly taxCode?: string;
  readonly quantity?: string;
  readonly unitPrice?: string;
}

/** A red line (negative amounts) referencing its blue line (`dylzfpmxxh`). */
export interface RedLine {
  readonly blueLineNo: number;
  readonly amount: string;
  readonly tax: string;
  readonly amountFen: number;
  readonly taxFen: number;
  readonly quantity?: string;
  readonly unitPrice?: string;
}

/** A requested red amount for one blue line: negative values, as on the red invoice. */
export interface RedLineRequest {
  readonly blueLineNo: number;
  readonly amount: string;
  /** Default: round2(amount × blue rate). */
  readonly tax?: string;
  readonly quantity?: string;
}

/** Full reversal: every blue line negated; the unit price stays positive, the quantity turns negative. */
export function computeFullReversalLines(blueLines: readonly BlueLine[]): RedLine[] {
  return blueLines.map((blue) =>
    redLine(blue.lineNo, new TaxDecimal(blue.amount).negated(), new TaxDecimal(blue.tax).negated(), blue),
  );
}

/** `quantity`: undefined = negate the blue quantity; null = no quantity (amount-only red, e.g. 04 销售折让). */
function redLine(
  blueLineNo: number,
  amount: TaxDecimalValue,
  tax: TaxDecimalValue,
  blue: BlueLine,
  quantity?: string | null,
): RedLine {
  const negatedBlue = blue.quantity === undefined ? undefined : new TaxDecimal(blue.quantity).negated().toFixed();
  const qty = quantity === null ? undefined : (quantity ?? negatedBlue);
  return {
    blueLineNo,
    amount: formatMoney(amount),
    tax: formatMoney(tax),
    amountFen: toFen(amount),
    taxFen: toFen(tax),
    ...(qty === undefined ? {} : { quantity: qty }),
    ...(blue.unitPrice === undefined || qty === undefined ? {} : { unitPrice: blue.unitPrice }),
  };
}

/** Input of {@link planRedLines}. */
export interface RedPlanInput {
  readonly reason: string;
  readonly blueLines: readonly BlueLine[];
  /** Lines of earlier red invoices against the same blue invoice (negative amounts). */
  readonly priorRedLines?: readonly RedLineRequest[];
  /** Omit for a full reversal. */
  readonly requestedLines?: readonly RedLineRequest[];
}

/** Result of {@link planRedLines}. */
export type RedPlan =
  | { readonly ok: true; readonly lines: readonly RedLine[] }
  | { readonly ok: false; readonly violations: readonly Violation[] };

/** Validates a red request against the blue invoice and earlier reds, and computes the red lines. */
export function planRedLines(input: RedPlanInput): RedPlan {
  const out: Violation[] = [];
  if (!isRedReason(input.reason)) {
    out.push(violation('RED_REASON_INVALID', '/reason', `红冲原因 ${JSON.stringify(input.reason)} 无效，须为 01–04`));
  } else {
    const problem = redReasonProblem(
      input.reason,
      input.blueLines.flatMap((l) => (l.taxCode ? [l.taxCode] : [])),
    );
    if (problem) out.push(violation('RED_REASON_NOT_APPLICABLE', '/reason', problem));
    if (input.requestedLines && !RED_REASON_INFO[input.reason].allowsPartial) {
      out.push(
        violation(
          'RED_PARTIAL_NOT_ALLOWED',
          '/lines',
          `红冲原因 ${input.reason}（${RED_REASON_INFO[input.reason].name}）只能全额红冲`,
        ),
      );
    }
  }
  const prior = input.priorRedLines ?? [];
  let lines: RedLine[];
  if (input.requestedLines) {
    lines = checkRequestedLines(out, input.blueLines, prior, input.requestedLines);
  } else {
    // Full reversal: totals = −blue totals, so nothing may have been reversed before (§8.1 "Partial vs full").
    if (prior.length > 0) out.push(violation('RED_EXCEEDS_REMAINING', '/lines', '蓝字发票已部分红冲，不能再全额红冲'));
    lines = computeFullReversalLines(input.blueLines);
  }
  return out.length > 0 ? { ok: false, violations: out } : { ok: true, lines };
}

function checkRequestedLines(
  out: Violation[],
  blueLines: readonly BlueLine[],
  prior: readonly RedLineRequest[],
  requested: readonly RedLineRequest[],
): RedLine[] {
  const used = new Map<number, { amount: TaxDecimalValue; tax: TaxDecimalValue; quantity: TaxDecimalValue }>();
  const add = (r: RedLineRequest, amount: TaxDecimalValue, tax: TaxDecimalValue) => {
    const u = used.get(r.blueLineNo) ?? {
      amount: new TaxDecimal(0),
      tax: new TaxDecimal(0),
      quantity: new TaxDecimal(0),
    };
    const quantity = r.quantity === undefined ? u.quantity : u.quantity.plus(new TaxDecimal(r.quantity).abs());
    used.set(r.blueLineNo, { amount: u.amount.plus(amount.abs()), tax: u.tax.plus(tax.abs()), quantity });
  };
  for (const r of prior) add(r, new TaxDecimal(r.amount), new TaxDecimal(r.tax ?? 0));
  const lines: RedLine[] = [];
  requested.forEach((r, i) => {
    const at = `/lines/${i}`;
    const blue = blueLines.find((b) => b.lineNo === r.blueLineNo);
    if (!blue) {
      out.push(
        violation('RED_LINE_UNKNOWN', `${at}/blueLineNo`, `第${i + 1}行红冲明细引用的蓝字明细 ${r.blueLineNo} 不存在`),
      );
      return;
    }
    const amount = checkMoney(out, r.amount, `${at}/amount`, `第${i + 1}行红冲明细：金额`, 13);
    const tax =
      r.tax === undefined
        ? amount
          ? roundHalfUp(amount.times(blue.taxRate))
          : null
        : checkMoney(out, r.tax, `${at}/tax`, `第${i + 1}行红冲明细：税额`, 13);
    if (!amount || !tax) return;
    // A red line has the opposite sign of its blue line (negative, or positive for a blue discount line).
    const expectedSign = -new TaxDecimal(blue.amount).s;
    if (amount.isZero() || amount.s !== expectedSign) {
      const rule = expectedSign < 0 ? '须小于 0' : '须大于 0（对应蓝字折扣行）';
      out.push(
        violation(
          'LINE_AMOUNT_SIGN_INVALID',
          `${at}/amount`,
          `第${i + 1}行红冲明细：金额${rule}，实际为 ${amount.toFixed()}`,
        ),
      );
      return;
    }
    add(r, amount, tax);
    checkRemaining(out, blue, used.get(r.blueLineNo), at, i);
    const quantity = r.quantity === undefined ? undefined : new TaxDecimal(r.quantity).abs().negated().toFixed();
    lines.push(redLine(blue.lineNo, amount, tax.abs().times(expectedSign), blue, quantity ?? null));
  });
  return lines;
}

function checkRemaining(
  out: Violation[],
  blue: BlueLine,
  used: { amount: TaxDecimalValue; tax: TaxDecimalValue; quantity: TaxDecimalValue } | undefined,
  at: string,
  i: number,
): void {
  if (!used) return;
  const over: string[] = [];
  if (used.amount.greaterThan(new TaxDecimal(blue.amount).abs())) over.push('金额');
  if (used.tax.greaterThan(new TaxDecimal(blue.tax).abs())) over.push('税额');
  if (blue.quantity !== undefined && used.quantity.greaterThan(new TaxDecimal(blue.quantity).abs())) over.push('数量');
  if (over.length === 0) return;
  out.push(
    violation(
      'RED_EXCEEDS_REMAINING',
      `${at}/amount`,
      `第${i + 1}行红冲明细：累计红冲${over.join('、')}超过蓝字明细 ${blue.lineNo} 的可红冲部分`,
      {
        blueLineNo: blue.lineNo,
        exceeded: over,
        blue: { amount: blue.amount, tax: blue.tax, quantity: blue.quantity },
        requestedInTotal: {
          amount: used.amount.toFixed(2),
          tax: used.tax.toFixed(2),
          quantity: used.quantity.toFixed(),
        },
      },
    ),
  );
}
