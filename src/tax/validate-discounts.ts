/**
 * Discount line (折扣行) rules (tax-rules §5.6): a discount line immediately follows its 被折扣行, has the same
 * name, tax code and rate, and its |amount| does not exceed the discounted line's amount. Sign rules and the
 * "no quantity/unit price" rule are checked per line in validate-line-amounts.ts.
 */
import { TaxDecimal } from './decimal.js';
import type { LineNature } from './line-natures.js';
import { lineLabel, type Violation, violation } from './violations.js';

/** What the discount rules need to know about each line (null where the field was invalid). */
export interface DiscountLineFacts {
  readonly nature: LineNature | null;
  readonly name: string | null;
  readonly taxCode: string;
  /** Canonical rate or null. */
  readonly rate: string | null;
  /** Computed tax-exclusive amount or null. */
  readonly amount: string | null;
}

/** Checks placement, match and size of every discount line. */
export function checkDiscountLines(out: Violation[], lines: readonly DiscountLineFacts[]): void {
  lines.forEach((line, index) => {
    const previous = index > 0 ? lines[index - 1] : undefined;
    const next = lines[index + 1];
    if (line.nature === 'discounted' && next?.nature !== 'discount') {
      out.push(
        violation(
          'DISCOUNTED_LINE_WITHOUT_DISCOUNT',
          `/lines/${index}/lineNature`,
          `${lineLabel(index)}：被折扣行之后须紧跟折扣行`,
        ),
      );
    }
    if (line.nature !== 'discount') return;
    if (previous?.nature !== 'discounted') {
      out.push(
        violation(
          'DISCOUNT_LINE_MISPLACED',
          `/lines/${index}/lineNature`,
          `${lineLabel(index)}：折扣行须紧跟在被折扣行之后`,
        ),
      );
      return;
    }
    checkAgainstDiscounted(out, line, previous, index);
  });
}

function checkAgainstDiscounted(
  out: Violation[],
  line: DiscountLineFacts,
  discounted: DiscountLineFacts,
  index: number,
): void {
  const label = lineLabel(index);
  const differs: string[] = [];
  if (line.name !== null && discounted.name !== null && line.name !== discounted.name) differs.push('项目名称');
  if (line.taxCode !== discounted.taxCode) differs.push('税收分类编码');
  if (line.rate !== null && discounted.rate !== null && !new TaxDecimal(line.rate).equals(discounted.rate))
    differs.push('税率');
  if (differs.length > 0) {
    const field = differs[0] === '项目名称' ? 'name' : differs[0] === '税率' ? 'taxRate' : 'taxCode';
    out.push(
      violation(
        'DISCOUNT_LINE_MISMATCH',
        `/lines/${index}/${field}`,
        `${label}：折扣行的${differs.join('、')}与被折扣行不一致`,
        { fields: differs },
      ),
    );
  }
  if (line.amount === null || discounted.amount === null) return;
  const discount = new TaxDecimal(line.amount).abs();
  const base = new TaxDecimal(discounted.amount).abs();
  if (discount.greaterThan(base)) {
    const message = `${label}：折扣金额 ${discount.toFixed(2)} 超过被折扣行金额 ${base.toFixed(2)}`;
    out.push(violation('DISCOUNT_EXCEEDS_LINE', `/lines/${index}/amount`, message, { max: base.toFixed(2) }));
  }
}
