/**
 * Checks one draft line (descriptive fields, then numbers) and builds its normalised form.
 */

import type { TaxDecimalValue } from './decimal.js';
import type { ComputedInvoiceLine, InvoiceDraftLine } from './invoice-draft.js';
import { renderItemName } from './item-name.js';
import { LINE_NATURE_CODES } from './line-natures.js';
import { printedRateLabel, printedTaxLabel, taxTreatmentOf } from './tax-policy-flags.js';
import type { DiscountLineFacts } from './validate-discounts.js';
import { checkLineAmounts } from './validate-line-amounts.js';
import { checkLineMeta } from './validate-line-meta.js';
import type { ResolvedValidateOptions } from './validation-options.js';
import type { Violation } from './violations.js';

/** A checked line: its normalised form (null when it has violations that prevent computing it). */
export interface CheckedLine {
  readonly computed: ComputedInvoiceLine | null;
  readonly discountFacts: DiscountLineFacts;
  /** Supplied 税额 − computed 税额. */
  readonly taxDeviation: TaxDecimalValue;
}

/** Checks line `index`, pushing violations into `out`. */
export function checkLine(
  out: Violation[],
  line: InvoiceDraftLine,
  index: number,
  options: ResolvedValidateOptions,
  isRed: boolean,
): CheckedLine {
  const meta = checkLineMeta(out, line, index, options, isRed);
  const { computed: amounts, taxDeviation } = checkLineAmounts(out, line, index, meta, options, isRed);
  const discountFacts: DiscountLineFacts = {
    nature: meta.nature,
    name: meta.name,
    taxCode: typeof line.taxCode === 'string' ? line.taxCode : '',
    rate: meta.rate ? meta.rate.toFixed() : null,
    amount: amounts ? amounts.amount : null,
  };
  const { entry, nature, name, rate, flag } = meta;
  if (!amounts || !entry || !nature || name === null || !rate || flag === null) {
    return { computed: null, discountFacts, taxDeviation };
  }
  const treatment = taxTreatmentOf(flag, rate);
  const computed: ComputedInvoiceLine = {
    ...amounts,
    lineNo: index + 1,
    name,
    renderedName: renderItemName(entry.shortName, name),
    shortName: entry.shortName,
    taxCode: entry.code,
    ...(line.spec === undefined ? {} : { spec: line.spec }),
    ...(line.unit === undefined ? {} : { unit: line.unit }),
    taxRate: rate.toFixed(),
    taxRateLabel: printedRateLabel(treatment, rate),
    taxLabel: printedTaxLabel(treatment, amounts.tax),
    taxTreatment: treatment,
    ...(flag ? { taxPolicyFlag: flag } : {}),
    lineNature: nature,
    lineNatureCode: LINE_NATURE_CODES[nature],
    priceIncludesTax: line.priceIncludesTax === true,
  };
  return { computed, discountFacts, taxDeviation };
}
