/**
 * Invoice header totals: 合计金额 = Σ line 金额, 合计税额 = Σ line 税额 (line taxes summed, never recomputed
 * on the total), 价税合计 = 合计金额 + 合计税额 (tax-rules §5.3 "Header totals").
 */
import { amountInWords } from './amount-in-words.js';
import { fenToDecimalString } from './decimal.js';

/** Anything carrying a line's fen amounts (e.g. {@link ComputedLineAmounts}). */
export interface LineFen {
  readonly amountFen: number;
  readonly taxFen: number;
}

/** Invoice totals as 2-dp strings, integer fen, and 价税合计大写. */
export interface InvoiceTotals {
  /** 合计金额 (tax-exclusive). */
  readonly amount: string;
  /** 合计税额. */
  readonly tax: string;
  /** 价税合计. */
  readonly total: string;
  readonly amountFen: number;
  readonly taxFen: number;
  readonly totalFen: number;
  /** 价税合计（大写）, e.g. 壹佰壹拾柒圆整 or （负数）伍佰圆整 (tax-rules §5.8). */
  readonly totalInWords: string;
}

/** Sums computed lines into invoice totals. Throws a RangeError if a sum leaves the safe-integer range. */
export function computeInvoiceTotals(lines: readonly LineFen[]): InvoiceTotals {
  let amountFen = 0;
  let taxFen = 0;
  for (const line of lines) {
    amountFen += line.amountFen;
    taxFen += line.taxFen;
  }
  const totalFen = amountFen + taxFen;
  if (!Number.isSafeInteger(amountFen) || !Number.isSafeInteger(taxFen) || !Number.isSafeInteger(totalFen)) {
    throw new RangeError('invoice totals are out of the safe fen range');
  }
  const total = fenToDecimalString(totalFen);
  return {
    amount: fenToDecimalString(amountFen),
    tax: fenToDecimalString(taxFen),
    total,
    amountFen,
    taxFen,
    totalFen,
    totalInWords: amountInWords(total),
  };
}
