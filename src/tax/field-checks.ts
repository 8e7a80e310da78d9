/**
 * Small field checks shared by the draft validators. Each pushes violations into `out` and returns the parsed
 * value (or null) so callers can carry on and collect every violation.
 */
import {
  countDecimalPlaces,
  countIntegerDigits,
  isDecimalString,
  TaxDecimal,
  type TaxDecimalValue,
} from './decimal.js';
import { FIELD_MAX_LENGTHS, type LengthUnit, type LimitedField, measureLength } from './field-limits.js';
import { type Violation, violation } from './violations.js';

/** True for undefined, null or a string of only whitespace. */
export function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/** Pushes FIELD_REQUIRED when blank; returns true when present. */
export function checkRequired(out: Violation[], value: unknown, path: string, label: string): boolean {
  if (!isBlank(value)) return true;
  out.push(violation('FIELD_REQUIRED', path, `${label}不能为空`));
  return false;
}

/** Pushes FIELD_TOO_LONG when `text` exceeds the limit of `field`. */
export function checkLength(
  out: Violation[],
  text: unknown,
  field: LimitedField,
  path: string,
  label: string,
  unit: LengthUnit,
  max: number = FIELD_MAX_LENGTHS[field],
): void {
  if (typeof text !== 'string') return;
  const length = measureLength(text, unit);
  if (length > max) {
    const unitName = unit === 'chars' ? '字符' : '字节';
    out.push(
      violation('FIELD_TOO_LONG', path, `${label}长度 ${length} ${unitName}超过上限 ${max}`, { max, length, unit }),
    );
  }
}

/** Checks a money value: decimal string, ≤ 2 decimals (number(18,2)), ≤ `maxIntegerDigits` integer digits. */
export function checkMoney(
  out: Violation[],
  raw: unknown,
  path: string,
  label: string,
  maxIntegerDigits: number,
): TaxDecimalValue | null {
  if (!isDecimalString(raw)) {
    out.push(
      violation('DECIMAL_FORMAT_INVALID', path, `${label} ${JSON.stringify(raw)} 不是十进制字符串（如 "117.00"）`),
    );
    return null;
  }
  const places = countDecimalPlaces(raw);
  if (places > 2) {
    out.push(
      violation('PRECISION_EXCEEDED', path, `${label} ${raw} 的小数位数 ${places} 超过 2 位`, { maxDecimals: 2 }),
    );
    return null;
  }
  if (countIntegerDigits(raw) > maxIntegerDigits) {
    out.push(
      violation('AMOUNT_OUT_OF_RANGE', path, `${label} ${raw} 的整数部分超过 ${maxIntegerDigits} 位`, {
        maxIntegerDigits,
      }),
    );
    return null;
  }
  return new TaxDecimal(raw);
}

/** Checks a quantity or unit price: decimal string, at most `maxLength` characters (varchar(25), tax-rules §5.5). */
export function checkDecimalText(
  out: Violation[],
  raw: unknown,
  path: string,
  label: string,
  maxLength: number,
): TaxDecimalValue | null {
  if (!isDecimalString(raw)) {
    out.push(violation('DECIMAL_FORMAT_INVALID', path, `${label} ${JSON.stringify(raw)} 不是十进制字符串`));
    return null;
  }
  if (raw.length > maxLength) {
    out.push(violation('PRECISION_EXCEEDED', path, `${label} ${raw} 超过 ${maxLength} 个字符`, { maxLength }));
    return null;
  }
  return new TaxDecimal(raw);
}
