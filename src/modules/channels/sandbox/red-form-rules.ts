/**
 * Pure checks of a red confirmation form against its blue invoice and the earlier forms (tax-rules §8.1):
 * red amounts are negative; reason 01 开票有误 reverses in full, only 02/03/04 may reverse part; all forms together
 * never exceed the blue totals, per invoice and per blue line (`lzmxxh`).
 */
import { fenToDecimalString, RED_REASON_INFO, type RedReason } from '../../../tax/index.js';

/** The blue invoice as the ledger holds it, in fen. */
export interface BlueFacts {
  readonly amountFen: number;
  readonly taxFen: number;
  readonly lines: readonly { readonly lineNo: number; readonly amountFen: number; readonly taxFen: number }[];
}

/** A red claim (a form, earlier or new), negative fen. */
export interface RedClaim {
  readonly amountFen: number;
  readonly taxFen: number;
  readonly lines: readonly { readonly blueLineNo: number; readonly amountFen: number; readonly taxFen: number }[];
}

/** A refusal: the ChannelError code and a Chinese message. */
export interface RedProblem {
  readonly code: 'RED_AMOUNT_INVALID' | 'RED_PARTIAL_NOT_ALLOWED' | 'RED_EXCEEDS_REMAINING';
  readonly message: string;
}

/** What remains red-able of a blue invoice after `earlier` forms (fen, ≥ 0 when consistent). */
export function remainingOfBlue(blue: BlueFacts, earlier: readonly RedClaim[]): { amountFen: number; taxFen: number } {
  return {
    amountFen: blue.amountFen + earlier.reduce((sum, f) => sum + f.amountFen, 0),
    taxFen: blue.taxFen + earlier.reduce((sum, f) => sum + f.taxFen, 0),
  };
}

/** Null when `claim` may be applied for; else why not. */
export function checkRedClaim(
  reason: RedReason,
  blue: BlueFacts,
  earlier: readonly RedClaim[],
  claim: RedClaim,
): RedProblem | null {
  const shape = shapeProblem(blue, claim);
  if (shape) return { code: 'RED_AMOUNT_INVALID', message: shape };
  const isFull = claim.amountFen === -blue.amountFen && claim.taxFen === -blue.taxFen;
  if (!isFull && !RED_REASON_INFO[reason].allowsPartial) {
    return {
      code: 'RED_PARTIAL_NOT_ALLOWED',
      message: `冲红原因“${RED_REASON_INFO[reason].name}”只能全额红冲，部分红冲仅限销货退回、服务中止、销售折让`,
    };
  }
  const remaining = remainingOfBlue(blue, earlier);
  if (-claim.amountFen > remaining.amountFen || -claim.taxFen > remaining.taxFen) {
    return {
      code: 'RED_EXCEEDS_REMAINING',
      message:
        `红冲金额 ${fenToDecimalString(-claim.amountFen)}、税额 ${fenToDecimalString(-claim.taxFen)} 超过蓝字发票剩余可红冲` +
        `金额 ${fenToDecimalString(remaining.amountFen)}、税额 ${fenToDecimalString(remaining.taxFen)}`,
    };
  }
  const line = lineProblem(blue, earlier, claim);
  return line ? { code: 'RED_EXCEEDS_REMAINING', message: line } : null;
}

function shapeProblem(blue: BlueFacts, claim: RedClaim): string | null {
  if (claim.amountFen > 0 || claim.taxFen > 0 || (claim.amountFen === 0 && claim.taxFen === 0))
    return '红字确认单金额和税额必须为负数';
  if (claim.lines.length === 0) return null;
  const known = new Set(blue.lines.map((l) => l.lineNo));
  const unknown = claim.lines.find((l) => !known.has(l.blueLineNo));
  if (unknown) return `蓝字发票没有第 ${unknown.blueLineNo} 行明细`;
  if (claim.lines.some((l) => l.amountFen > 0 || l.taxFen > 0)) return '红字明细金额和税额不能为正数';
  const sumAmount = claim.lines.reduce((s, l) => s + l.amountFen, 0);
  const sumTax = claim.lines.reduce((s, l) => s + l.taxFen, 0);
  if (sumAmount !== claim.amountFen || sumTax !== claim.taxFen) return '红字明细合计与确认单合计不一致';
  return null;
}

/** Per blue line (positive lines only; a 折扣行 is reversed with its 被折扣行): Σ reds ≤ the blue line. */
function lineProblem(blue: BlueFacts, earlier: readonly RedClaim[], claim: RedClaim): string | null {
  for (const blueLine of blue.lines) {
    if (blueLine.amountFen <= 0) continue;
    const reds = [...earlier, claim].flatMap((f) => f.lines.filter((l) => l.blueLineNo === blueLine.lineNo));
    const amount = -reds.reduce((s, l) => s + l.amountFen, 0);
    const tax = -reds.reduce((s, l) => s + l.taxFen, 0);
    if (amount > blueLine.amountFen || tax > Math.max(blueLine.taxFen, 0)) {
      return `第 ${blueLine.lineNo} 行红冲金额合计 ${fenToDecimalString(amount)} 超过蓝字明细金额 ${fenToDecimalString(blueLine.amountFen)}`;
    }
  }
  return null;
}
