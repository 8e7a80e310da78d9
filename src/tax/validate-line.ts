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
  // Built by assignment, in the same key order as a literal `{ ...amounts, lineNo, … }` would give: that literal (a
  // spread first, then a dozen keys and conditional spreads) cost V8 ~50–100 µs and a dictionary-mode object per line.
  const built: { -readonly [K in keyof ComputedInvoiceLine]?: ComputedInvoiceLine[K] } = Object.assign({}, amounts);
  built.lineNo = index + 1;
  built.name = name;
  built.renderedName = renderItemName(entry.shortName, name);
  built.shortName = entry.shortName;
  built.taxCode = entry.code;
  if (line.spec !== undefined) built.spec = line.spec;
  if (line.unit !== undefined) built.unit = line.unit;
  built.taxRate = rate.toFixed();
  built.taxRateLabel = printedRateLabel(treatment, rate);
  built.taxLabel = printedTaxLabel(treatment, amounts.tax);
  built.taxTreatment = treatment;
  if (flag) built.taxPolicyFlag = flag;
  built.lineNature = nature;
  built.lineNatureCode = LINE_NATURE_CODES[nature];
  built.priceIncludesTax = line.priceIncludesTax === true;
  const computed = built as ComputedInvoiceLine;
  return { computed, discountFacts, taxDeviation };
}
