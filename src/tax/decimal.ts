/**
 * Decimal helpers for tax math. Money is never a float: decimal strings on the wire, decimal.js in code,
 * integer fen (分) for storage (shared/style.md "money"). Rounding is half-up to 2 dp (tax-rules §5.3).
 */

import type { Decimal as DecimalInstance } from 'decimal.js';
import decimalDefault from 'decimal.js';

// decimal.js ships CommonJS-style typings (tsc under NodeNext types the default import as the module object)
// but its ESM build's default export is the constructor itself — which is what runs.
const Decimal = decimalDefault as unknown as typeof DecimalInstance;

/** A decimal.js constructor configured for tax math: 40 significant digits, ROUND_HALF_UP, no exponent output. */
export const TaxDecimal = Decimal.clone({
  precision: 40,
  rounding: Decimal.ROUND_HALF_UP,
  toExpNeg: -50,
  toExpPos: 50,
});

/** Instance type of {@link TaxDecimal}. */
export type TaxDecimalValue = DecimalInstance;

/** Plain decimal string: optional minus, no leading zeros (except "0"), optional fraction. No "+", no exponent. */
const DECIMAL_STRING = /^-?(0|[1-9]\d*)(\.\d+)?$/;

/** True when `value` is a plain decimal string such as "117.00", "-0.5" or "3". */
export function isDecimalString(value: unknown): value is string {
  return typeof value === 'string' && DECIMAL_STRING.test(value);
}

/** Parses a plain decimal string; returns null for anything else (numbers, "1e3", "13%", " 1"). */
export function parseDecimal(value: unknown): TaxDecimalValue | null {
  return isDecimalString(value) ? new TaxDecimal(value) : null;
}

/** Number of digits after the decimal point in a decimal string ("1.230" → 3). */
export function countDecimalPlaces(value: string): number {
  const dot = value.indexOf('.');
  return dot < 0 ? 0 : value.length - dot - 1;
}

/** Number of digits before the decimal point, ignoring the sign ("-123.4" → 3). */
export function countIntegerDigits(value: string): number {
  const unsigned = value.startsWith('-') ? value.slice(1) : value;
  const dot = unsigned.indexOf('.');
  return dot < 0 ? unsigned.length : dot;
}

/**
 * Rounds half-up (away from zero on a tie, so red amounts mirror blue ones) to `places` decimals.
 * Accepts a decimal string or a decimal value.
 */
export function roundHalfUp(value: TaxDecimalValue | string, places = 2): TaxDecimalValue {
  return new TaxDecimal(value).toDecimalPlaces(places, Decimal.ROUND_HALF_UP);
}

/** Formats a value as a fixed 2-decimal money string ("88.5" → "88.50"), rounding half-up first. */
export function formatMoney(value: TaxDecimalValue | string): string {
  const fixed = roundHalfUp(value).toFixed(2);
  return fixed === '-0.00' ? '0.00' : fixed;
}

/**
 * Converts a money amount (≤ 2 decimals after rounding half-up) to integer fen.
 * Throws a RangeError when the result is not a safe integer.
 */
export function toFen(value: TaxDecimalValue | string): number {
  const fen = roundHalfUp(value).times(100).toNumber();
  if (!Number.isSafeInteger(fen)) throw new RangeError(`amount ${String(value)} is out of the safe fen range`);
  return fen === 0 ? 0 : fen;
}

/** Converts integer fen back to a 2-decimal string (12345 → "123.45", -5 → "-0.05"). */
export function fenToDecimalString(fen: number): string {
  if (!Number.isSafeInteger(fen)) throw new RangeError(`fen ${fen} is not a safe integer`);
  return formatMoney(new TaxDecimal(fen).dividedBy(100));
}

/** Strips trailing fractional zeros from a decimal value's string form ("1.500" → "1.5", "2.0" → "2"). */
export function trimDecimal(value: TaxDecimalValue): string {
  return value.toFixed();
}
