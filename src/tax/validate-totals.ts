/**
 * Invoice-level amount checks: accumulated tax deviation (tax-rules §5.4), range of the totals, and the
 * caller's optional totals against the sums of the lines (TOTAL_MISMATCH names the expected values).
 */
import { computeInvoiceTotals, type InvoiceTotals } from './compute-invoice-totals.js';
import { countIntegerDigits, TaxDecimal } from './decimal.js';
import { checkMoney } from './field-checks.js';
import type { ComputedInvoiceLine, InvoiceDraft } from './invoice-draft.js';
import type { CheckedLine } from './validate-line.js';
import type { ResolvedValidateOptions } from './validation-options.js';
import { type Violation, violation } from './violations.js';

/** Computes the totals and checks them; returns null when they cannot be trusted. */
export function checkTotals(
  out: Violation[],
  draft: InvoiceDraft,
  lines: readonly ComputedInvoiceLine[],
  checked: readonly CheckedLine[],
  options: ResolvedValidateOptions,
): InvoiceTotals | null {
  // The 1.27 rule bounds the caller's accumulated deviation from our own per-line tax (tax-rules §5.4).
  const deviation = checked.reduce((acc, c) => acc.plus(c.taxDeviation), new TaxDecimal(0));
  if (deviation.abs().greaterThan(options.invoiceTaxTolerance)) {
    const message = `各行税额与计算税额的累计差额 ${deviation.toFixed(2)} 元超过 ${options.invoiceTaxTolerance} 元`;
    out.push(violation('INVOICE_TAX_OUT_OF_TOLERANCE', '/lines', message, { deviation: deviation.toFixed(2) }));
  }
  const grandTotal = lines.reduce((acc, l) => acc.plus(l.total), new TaxDecimal(0));
  const sums = [grandTotal, lines.reduce((acc, l) => acc.plus(l.amount), new TaxDecimal(0))];
  if (sums.some((s) => countIntegerDigits(s.toFixed(2)) > options.maxAmountIntegerDigits)) {
    const message = `价税合计 ${grandTotal.toFixed(2)} 的整数部分超过 ${options.maxAmountIntegerDigits} 位`;
    out.push(violation('AMOUNT_OUT_OF_RANGE', '/lines', message, { maxIntegerDigits: options.maxAmountIntegerDigits }));
    return null;
  }
  const totals = computeInvoiceTotals(lines);
  if (draft.totals !== undefined) checkGivenTotals(out, draft.totals, totals, options);
  return totals;
}

function checkGivenTotals(
  out: Violation[],
  given: NonNullable<InvoiceDraft['totals']>,
  totals: InvoiceTotals,
  options: ResolvedValidateOptions,
): void {
  const digits = options.maxAmountIntegerDigits + 1;
  const amount = checkMoney(out, given?.amount, '/totals/amount', '合计金额', digits);
  const tax = checkMoney(out, given?.tax, '/totals/tax', '合计税额', digits);
  const total = checkMoney(out, given?.total, '/totals/total', '价税合计', digits);
  if (!amount || !tax || !total) return;
  const labels: Array<[string, boolean]> = [
    [`合计金额 ${amount.toFixed(2)}（应为 ${totals.amount}）`, !amount.equals(totals.amount)],
    [`合计税额 ${tax.toFixed(2)}（应为 ${totals.tax}）`, !tax.equals(totals.tax)],
    [`价税合计 ${total.toFixed(2)}（应为 ${totals.total}）`, !total.equals(totals.total)],
  ];
  const wrong = labels.filter(([, bad]) => bad).map(([label]) => label);
  if (wrong.length === 0) return;
  out.push(
    violation('TOTAL_MISMATCH', '/totals', `发票合计与明细合计不一致：${wrong.join('；')}`, {
      expected: { amount: totals.amount, tax: totals.tax, total: totals.total },
      actual: { amount: given.amount, tax: given.tax, total: given.total },
    }),
  );
}
