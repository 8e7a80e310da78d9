/** Normalisers for values as invoices print or store them. Each returns null when the input is not a value. */
import { expandDate, formatMoney, TaxDecimal } from '../tax/index.js';

/** "¥1,234.5" / "-12" / "１２.００" → "1234.50" / "-12.00"; null when not a money amount. */
export function normMoney(raw: string | null | undefined): string | null {
  if (raw == null) return null;
  const s = toHalfWidth(raw)
    .replace(/[¥￥,\s]/g, '')
    .replace(/^\((.*)\)$/, '-$1');
  if (!/^-?\d{1,15}(\.\d{1,8})?$/.test(s)) return null;
  return formatMoney(s);
}

/** A date as invoices write it (2020年07月23日, 2024-05-28[ 10:30:00], 2024/5/8, 20240528) → YYYY-MM-DD, or null. */
export function normDate(raw: string | null | undefined): string | null {
  if (raw == null) return null;
  const s = toHalfWidth(raw).replace(/\s+/g, '');
  let m = /^(\d{4})[年\-/.](\d{1,2})[月\-/.](\d{1,2})日?/.exec(s);
  if (m) return expandDate(`${m[1]}${m[2]!.padStart(2, '0')}${m[3]!.padStart(2, '0')}`);
  m = /^(\d{8})/.exec(s);
  return m ? expandDate(m[1]!) : null;
}

/** "13%" / "0.130000" / "0.13" → "0.13"; markers (免税, 不征税, ***) kept as printed; null when empty. */
export function normRate(raw: string | null | undefined): string | null {
  if (raw == null) return null;
  const s = toHalfWidth(raw).replace(/\s+/g, '');
  if (!s) return null;
  const pct = /^(\d{1,2}(\.\d+)?)%$/.exec(s);
  if (pct) return new TaxDecimal(pct[1]!).div(100).toString();
  if (/^0(\.\d+)?$|^1(\.0+)?$/.test(s)) return new TaxDecimal(s).toString();
  return s;
}

/** Quantities and unit prices: trimmed decimal strings as printed (trailing zeros kept), or null. */
export function normNumber(raw: string | null | undefined): string | null {
  if (raw == null) return null;
  const s = toHalfWidth(raw).replace(/[,\s¥￥]/g, '');
  return /^-?\d+(\.\d+)?$/.test(s) ? s : null;
}

/** Tax ids: upper-case, no spaces; null unless 15–20 letters/digits. */
export function normTaxId(raw: string | null | undefined): string | null {
  if (raw == null) return null;
  const s = toHalfWidth(raw).replace(/\s+/g, '').toUpperCase();
  return /^[0-9A-Z]{15,20}$/.test(s) ? s : null;
}

/** Names: trimmed, inner runs of whitespace collapsed; null when empty. */
export function normText(raw: string | null | undefined): string | null {
  if (raw == null) return null;
  const s = raw.replace(/\s+/g, ' ').trim();
  return s ? s : null;
}

/** Full-width ASCII (digits, letters, punctuation) and the ideographic space to half-width. */
export function toHalfWidth(s: string): string {
  return s.replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ');
}
