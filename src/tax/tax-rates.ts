/**
 * VAT rates and 征收率 (tax-rules §5.1). The canonical wire form of a rate is a decimal fraction string
 * ("0.13", "0.015", "0"), at most 6 decimals (`slv` number(16,6), tax-rules §5.5). Percent strings ("13%")
 * are rejected by validation; use {@link normalizeTaxRate} when importing XML/CSV where they occur (§9.1).
 */
import { countDecimalPlaces, isDecimalString, TaxDecimal, type TaxDecimalValue } from './decimal.js';

/** Rates accepted on blue invoices today (tax-rules §5.1). */
export const CURRENT_TAX_RATES = ['0.13', '0.09', '0.06', '0.05', '0.03', '0.015', '0.01', '0'] as const;

/** Historical rates: still valid when red-lettering old blue invoices (tax-rules §5.1, S-WX/S-KD). */
export const HISTORICAL_TAX_RATES = ['0.17', '0.16', '0.11', '0.1', '0.04'] as const;

/** 0.5% used-car dealer rate: low confidence (tax-rules §5.1 [L], §11.9) — opt in via options. */
export const USED_CAR_DEALER_RATE = '0.005';

/** Maximum decimals of a rate (`slv` number(16,6), tax-rules §5.5). */
export const TAX_RATE_MAX_DECIMALS = 6;

/** Why a rate string was refused. */
export type TaxRateProblem = 'format' | 'percent' | 'precision' | 'range';

/** Result of {@link parseTaxRate}. */
export type TaxRateParse =
  | { readonly ok: true; readonly value: TaxDecimalValue; readonly canonical: string }
  | { readonly ok: false; readonly problem: TaxRateProblem };

/** Parses a canonical rate string ("0.13"). Percent forms are refused with problem "percent". */
export function parseTaxRate(raw: unknown): TaxRateParse {
  if (typeof raw === 'string' && /^\d+(\.\d+)?%$/.test(raw)) return { ok: false, problem: 'percent' };
  if (!isDecimalString(raw)) return { ok: false, problem: 'format' };
  if (countDecimalPlaces(raw) > TAX_RATE_MAX_DECIMALS) return { ok: false, problem: 'precision' };
  const value = new TaxDecimal(raw);
  if (value.isNegative() || value.greaterThanOrEqualTo(1)) return { ok: false, problem: 'range' };
  return { ok: true, value, canonical: value.toFixed() };
}

/**
 * Normalises the rate spellings seen in files ("13%", "0.130000", "0.13", "13") to the canonical form
 * ("0.13"); returns null when the text is not a rate. A bare number ≥ 1 is read as a percentage.
 */
export function normalizeTaxRate(raw: string): string | null {
  const text = raw.trim();
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(text);
  if (percent?.[1]) return new TaxDecimal(percent[1]).dividedBy(100).toFixed();
  if (!/^\d+(\.\d+)?$/.test(text)) return null;
  const value = new TaxDecimal(text);
  return (value.greaterThanOrEqualTo(1) ? value.dividedBy(100) : value).toFixed();
}

/** Formats a rate for print: "0.13" → "13%", "0.015" → "1.5%". */
export function formatTaxRatePercent(rate: string | TaxDecimalValue): string {
  return `${new TaxDecimal(rate).times(100).toFixed()}%`;
}

/** Options deciding which rates are allowed. */
export interface AllowedRateOptions {
  /** Red invoices may use {@link HISTORICAL_TAX_RATES}. */
  readonly isRed?: boolean;
  /** Allow the 0.5% used-car dealer rate ([L], default false). */
  readonly allowUsedCarDealerRate?: boolean;
  /** Replace the whole list (canonical strings). */
  readonly allowedRates?: readonly string[];
}

/** The list of allowed rates (canonical strings) for the given options. */
export function allowedTaxRates(options: AllowedRateOptions = {}): readonly string[] {
  if (options.allowedRates) return options.allowedRates.map((r) => new TaxDecimal(r).toFixed());
  const rates: string[] = [...CURRENT_TAX_RATES];
  if (options.isRed) rates.push(...HISTORICAL_TAX_RATES);
  if (options.allowUsedCarDealerRate) rates.push(USED_CAR_DEALER_RATE);
  return rates;
}

/**
 * The default lists as sets of canonical strings, made once: index bit 1 = red, bit 2 = used-car dealer rate.
 * A rate is allowed when its canonical string (`toFixed()`: decimal.js keeps no trailing zeros) is in the set — the
 * same answer as comparing it with each allowed rate as a decimal, without parsing the list on every line.
 */
const DEFAULT_RATE_SETS: readonly ReadonlySet<string>[] = [0, 1, 2, 3].map(
  (bits) => new Set(allowedTaxRates({ isRed: (bits & 1) !== 0, allowUsedCarDealerRate: (bits & 2) !== 0 })),
);

/** True when the rate (any decimal spelling, e.g. "0.10") is in the allowed list. */
export function isAllowedTaxRate(rate: string | TaxDecimalValue, options: AllowedRateOptions = {}): boolean {
  const value = typeof rate === 'string' ? new TaxDecimal(rate) : rate;
  if (options.allowedRates) return options.allowedRates.some((allowed) => value.equals(allowed));
  if (!value.isFinite()) return false;
  const set = DEFAULT_RATE_SETS[(options.isRed ? 1 : 0) + (options.allowUsedCarDealerRate ? 2 : 0)]!;
  return set.has(value.toFixed());
}
