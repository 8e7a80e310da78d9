/**
 * One invoice line's amounts from either a tax-exclusive or a tax-inclusive input (tax-rules §5.3).
 * Pure decimal math; inputs must already be valid decimal strings (see validate-line.ts for checks).
 */
import { formatMoney, roundHalfUp, TaxDecimal, type TaxDecimalValue, toFen } from './decimal.js';
import type { TaxPolicyFlag } from './tax-policy-flags.js';

/** Input of {@link computeLine}: decimal strings; `amount` and `unitPrice` are on the basis of `priceIncludesTax`. */
export interface LineAmountInput {
  /** 金额: tax-exclusive, or tax-inclusive when `priceIncludesTax`. */
  readonly amount: string;
  /** Canonical rate, e.g. "0.13". */
  readonly taxRate: string;
  readonly priceIncludesTax?: boolean;
  readonly quantity?: string;
  /** 单价 on the same basis as `amount`. */
  readonly unitPrice?: string;
  /** A supplied 税额 to keep instead of the computed one (the caller checks the tolerance). */
  readonly taxAmount?: string;
  readonly taxPolicyFlag?: TaxPolicyFlag;
}

/** Options of {@link computeLine}. */
export interface ComputeLineOptions {
  /**
   * Divisor of the 5%→1.5% formula for tax-inclusive lines flagged `yhzcbs` 10: se = hsje / divisor × 0.015.
   * Default "1.05"; older code uses "1.035" (tax-rules §5.3 [M], §11.9) — configurable.
   */
  readonly reducedRateDivisor?: '1.05' | '1.035';
  /** Significant digits kept for a derived unit price (tax-rules §5.5: real PDFs show ~16). Default 16. */
  readonly unitPriceSignificantDigits?: number;
}

/** Amounts of one line: 2-dp strings plus integer fen. */
export interface ComputedLineAmounts {
  /** 金额 (tax-exclusive). */
  readonly amount: string;
  /** 税额. */
  readonly tax: string;
  /** 含税金额 = amount + tax. */
  readonly total: string;
  readonly amountFen: number;
  readonly taxFen: number;
  readonly totalFen: number;
  /** Tax computed by the formula, whether or not a supplied tax was kept. */
  readonly computedTax: string;
  readonly quantity?: string;
  /** 单价 (tax-exclusive), full precision. */
  readonly unitPrice?: string;
  /** 含税单价, when the input was tax-inclusive. */
  readonly unitPriceIncludingTax?: string;
}

/** Tax on a tax-exclusive amount: round2(je × rate) (tax-rules §5.3). */
export function taxFromExclusive(amount: TaxDecimalValue | string, rate: TaxDecimalValue | string): TaxDecimalValue {
  return roundHalfUp(new TaxDecimal(amount).times(rate));
}

/** Tax inside a tax-inclusive amount: round2(hsje / (1 + rate) × rate) (tax-rules §5.3). */
export function taxFromInclusive(total: TaxDecimalValue | string, rate: TaxDecimalValue | string): TaxDecimalValue {
  const r = new TaxDecimal(rate);
  return roundHalfUp(new TaxDecimal(total).dividedBy(r.plus(1)).times(r));
}

/** Computes a line's 金额/税额/含税金额 and the tax-exclusive unit price. */
export function computeLine(input: LineAmountInput, options: ComputeLineOptions = {}): ComputedLineAmounts {
  const rate = new TaxDecimal(input.taxRate);
  const given = roundHalfUp(input.amount);
  let amount: TaxDecimalValue;
  let computedTax: TaxDecimalValue;
  let tax: TaxDecimalValue;
  if (input.priceIncludesTax) {
    computedTax =
      input.taxPolicyFlag === '10'
        ? roundHalfUp(given.dividedBy(options.reducedRateDivisor ?? '1.05').times('0.015'))
        : taxFromInclusive(given, rate);
    tax = input.taxAmount === undefined ? computedTax : roundHalfUp(input.taxAmount);
    amount = given.minus(tax);
  } else {
    amount = given;
    computedTax = taxFromExclusive(amount, rate);
    tax = input.taxAmount === undefined ? computedTax : roundHalfUp(input.taxAmount);
  }
  const total = amount.plus(tax);
  return {
    amount: formatMoney(amount),
    tax: formatMoney(tax),
    total: formatMoney(total),
    amountFen: toFen(amount),
    taxFen: toFen(tax),
    totalFen: toFen(total),
    computedTax: formatMoney(computedTax),
    ...unitPrices(input, amount, options.unitPriceSignificantDigits ?? 16),
  };
}

function unitPrices(
  input: LineAmountInput,
  amount: TaxDecimalValue,
  digits: number,
): Pick<ComputedLineAmounts, 'quantity' | 'unitPrice' | 'unitPriceIncludingTax'> {
  if (input.quantity === undefined || input.unitPrice === undefined) return {};
  const quantity = new TaxDecimal(input.quantity);
  if (!input.priceIncludesTax)
    return { quantity: quantity.toFixed(), unitPrice: new TaxDecimal(input.unitPrice).toFixed() };
  // Tax-inclusive input: 单价 = je / 数量, kept at full precision (tax-rules §5.3 step 3, §5.5).
  const unitPrice = quantity.isZero()
    ? new TaxDecimal(0)
    : amount.dividedBy(quantity).abs().toSignificantDigits(digits);
  return {
    quantity: quantity.toFixed(),
    unitPrice: unitPrice.toFixed(),
    unitPriceIncludingTax: new TaxDecimal(input.unitPrice).toFixed(),
  };
}
