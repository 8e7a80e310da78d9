/**
 * Which tax rates a line of a given 税收分类编码 may carry (tax-rules §5.1, §5.2, §6), for pickers and the product
 * catalogue: the code's general-taxpayer rate, the 征收率 of the simplified method and of small-scale sellers (5%, 3%,
 * and 3% reduced to 1%), and 0 (免税 / 零税率 lines). A code whose default is a fixed-rate policy (e.g. 免税, flag 03)
 * allows only that policy's rate. Nothing beyond what the domain notes state is assumed per code.
 */
import { TaxDecimal } from './decimal.js';
import type { TaxCodeEntry } from './tax-codes.js';
import { TAX_POLICY_FLAG_RATES } from './tax-policy-flags.js';

/** The simplified-method and small-scale rates any taxable code may use besides its default (tax-rules §5.1). */
export const SIMPLIFIED_TAX_RATES = ['0.05', '0.03', '0.01'] as const;

/** The rates allowed for `entry`, canonical strings ("0.06"), highest first. */
export function taxRatesForCode(entry: Pick<TaxCodeEntry, 'defaultRate' | 'defaultPolicyFlag'>): readonly string[] {
  const fixed = entry.defaultPolicyFlag ? TAX_POLICY_FLAG_RATES[entry.defaultPolicyFlag] : undefined;
  if (fixed !== undefined) return [new TaxDecimal(fixed).toFixed()];
  const rates = new Set([new TaxDecimal(entry.defaultRate).toFixed(), ...SIMPLIFIED_TAX_RATES, '0']);
  return [...rates].sort((a, b) => new TaxDecimal(b).comparedTo(a));
}

/** True when `rate` (any decimal spelling) is one of {@link taxRatesForCode}. */
export function isRateAllowedForCode(
  entry: Pick<TaxCodeEntry, 'defaultRate' | 'defaultPolicyFlag'>,
  rate: string,
): boolean {
  let value: InstanceType<typeof TaxDecimal>;
  try {
    value = new TaxDecimal(rate);
  } catch {
    return false;
  }
  return taxRatesForCode(entry).some((allowed) => value.equals(allowed));
}
