/**
 * Checks of a draft line's numbers and computation of its amounts: formats and precision (tax-rules §5.5),
 * signs (blue positive, red negative, discounts opposite — §5.6, §8.1), 数量×单价 consistency and the supplied
 * tax tolerance (§5.4), then {@link computeLine} (§5.3).
 */
import { type ComputedLineAmounts, computeLine } from './compute-line.js';
import { formatMoney, roundHalfUp, TaxDecimal, type TaxDecimalValue } from './decimal.js';
import { checkDecimalText, checkMoney, checkRequired, isBlank } from './field-checks.js';
import { FIELD_MAX_LENGTHS } from './field-limits.js';
import type { InvoiceDraftLine } from './invoice-draft.js';
import type { LineMeta } from './validate-line-meta.js';
import type { ResolvedValidateOptions } from './validation-options.js';
import { lineLabel, type Violation, violation } from './violations.js';

/** Result of {@link checkLineAmounts}. */
export interface LineAmountsResult {
  /** Null when a number was invalid and the line could not be computed. */
  readonly computed: ComputedLineAmounts | null;
  /** Supplied 税额 − computed 税额 (zero when no tax was supplied). */
  readonly taxDeviation: TaxDecimalValue;
}

/** Checks the numbers of line `index` and computes it when they are usable. */
export function checkLineAmounts(
  out: Violation[],
  line: InvoiceDraftLine,
  index: number,
  meta: LineMeta,
  options: ResolvedValidateOptions,
  isRed: boolean,
): LineAmountsResult {
  const at = `/lines/${index}`;
  const label = lineLabel(index);
  const digits = options.maxAmountIntegerDigits;
  const amount = checkRequired(out, line.amount, `${at}/amount`, `${label}：金额`)
    ? checkMoney(out, line.amount, `${at}/amount`, `${label}：金额`, digits)
    : null;
  const tax =
    line.taxAmount === undefined
      ? undefined
      : checkMoney(out, line.taxAmount, `${at}/taxAmount`, `${label}：税额`, digits);
  const [quantity, unitPrice] = checkQuantityAndPrice(out, line, at, label, meta);
  if (amount) checkSigns(out, amount, quantity, unitPrice, at, label, meta, isRed);
  if (amount && quantity && unitPrice) {
    const product = roundHalfUp(quantity.times(unitPrice));
    if (amount.minus(product).abs().greaterThan(options.amountTolerance)) {
      const message = `${label}：金额 ${formatMoney(amount)} 与 数量×单价 ${formatMoney(product)} 的差额超过 ${options.amountTolerance} 元`;
      out.push(violation('LINE_AMOUNT_INCONSISTENT', `${at}/amount`, message, { expected: formatMoney(product) }));
    }
  }
  if (!amount || meta.rate === null || meta.flag === null || tax === null)
    return { computed: null, taxDeviation: new TaxDecimal(0) };
  const computed = computeLine(
    {
      amount: amount.toFixed(),
      taxRate: meta.rate.toFixed(),
      priceIncludesTax: line.priceIncludesTax === true,
      ...(quantity && unitPrice ? { quantity: quantity.toFixed(), unitPrice: unitPrice.toFixed() } : {}),
      ...(tax ? { taxAmount: tax.toFixed() } : {}),
      ...(meta.flag ? { taxPolicyFlag: meta.flag } : {}),
    },
    options,
  );
  const taxDeviation = tax ? tax.minus(computed.computedTax) : new TaxDecimal(0);
  // A zero rate (免税/不征税/零税率) allows no tax at all.
  const tolerance = meta.rate.isZero() ? '0' : options.lineTaxTolerance;
  if (taxDeviation.abs().greaterThan(tolerance)) {
    const basis = line.priceIncludesTax === true ? '按含税金额计算的税额' : '金额×税率';
    const message = `${label}：税额 ${formatMoney(tax as TaxDecimalValue)} 与 ${basis} ${computed.computedTax} 的差额超过 ${tolerance} 元`;
    out.push(
      violation('LINE_TAX_OUT_OF_TOLERANCE', `${at}/taxAmount`, message, { expected: computed.computedTax, tolerance }),
    );
  }
  return { computed, taxDeviation };
}

function checkQuantityAndPrice(
  out: Violation[],
  line: InvoiceDraftLine,
  at: string,
  label: string,
  meta: LineMeta,
): [TaxDecimalValue | null, TaxDecimalValue | null] {
  const hasQuantity = !isBlank(line.quantity);
  const hasPrice = !isBlank(line.unitPrice);
  if (meta.nature === 'discount' && (hasQuantity || hasPrice)) {
    const path = `${at}/${hasQuantity ? 'quantity' : 'unitPrice'}`;
    out.push(violation('DISCOUNT_LINE_HAS_QUANTITY', path, `${label}：折扣行不能填写数量和单价`));
    return [null, null];
  }
  if (hasQuantity !== hasPrice) {
    const missing = hasQuantity ? 'unitPrice' : 'quantity';
    out.push(violation('QUANTITY_PRICE_INCOMPLETE', `${at}/${missing}`, `${label}：数量与单价须同时填写`));
    return [null, null];
  }
  if (!hasQuantity) return [null, null];
  return [
    checkDecimalText(out, line.quantity, `${at}/quantity`, `${label}：数量`, FIELD_MAX_LENGTHS.quantity),
    checkDecimalText(out, line.unitPrice, `${at}/unitPrice`, `${label}：单价`, FIELD_MAX_LENGTHS.unitPrice),
  ];
}

function checkSigns(
  out: Violation[],
  amount: TaxDecimalValue,
  quantity: TaxDecimalValue | null,
  unitPrice: TaxDecimalValue | null,
  at: string,
  label: string,
  meta: LineMeta,
  isRed: boolean,
): void {
  const lineSign = isRed ? -1 : 1;
  if (meta.nature === 'discount') {
    if (amount.isZero() || amount.s !== -lineSign) {
      const rule = isRed ? '红字发票折扣行金额须大于 0' : '折扣行金额须小于 0';
      out.push(
        violation('DISCOUNT_AMOUNT_SIGN_INVALID', `${at}/amount`, `${label}：${rule}，实际为 ${amount.toFixed()}`),
      );
    }
  } else if (amount.isZero() || amount.s !== lineSign) {
    const rule = isRed ? '红字发票明细金额须小于 0' : '蓝字发票明细金额须大于 0';
    out.push(violation('LINE_AMOUNT_SIGN_INVALID', `${at}/amount`, `${label}：${rule}，实际为 ${amount.toFixed()}`));
  }
  if (unitPrice?.isNegative() && !unitPrice.isZero()) {
    out.push(violation('UNIT_PRICE_NEGATIVE', `${at}/unitPrice`, `${label}：单价不能为负数（红字发票以负数量表示）`));
  }
  if (quantity && (quantity.isZero() || (!amount.isZero() && quantity.s !== amount.s))) {
    out.push(
      violation(
        'QUANTITY_SIGN_INVALID',
        `${at}/quantity`,
        `${label}：数量 ${quantity.toFixed()} 的正负须与金额一致且不能为 0`,
      ),
    );
  }
}
