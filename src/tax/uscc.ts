/**
 * 统一社会信用代码 (USCC, GB 32100-2015) check character and legacy 纳税人识别号 formats.
 * See shared/domain/tax-rules.md §7.
 */

/** The 31-symbol alphabet; I, O, Z, S and V are not used (tax-rules §7.1). */
export const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** Weights w[i] = 3^i mod 31 for i = 0..16 (tax-rules §7.3). */
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

/** Computes the 18th (check) character for the first 17 characters of a USCC, or null if a character is invalid. */
export function computeUsccCheckChar(first17: string): string | null {
  if (first17.length !== 17) return null;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = USCC_ALPHABET.indexOf(first17[i] as string);
    if (value < 0) return null;
    sum += value * (USCC_WEIGHTS[i] as number);
  }
  return USCC_ALPHABET[(31 - (sum % 31)) % 31] as string;
}

/** True when `code` is an 18-character USCC whose check character is right. */
export function isValidUscc(code: string): boolean {
  if (!/^[0-9A-HJ-NPQRTUWXY]{18}$/.test(code)) return false;
  return computeUsccCheckChar(code.slice(0, 17)) === code[17];
}

export type TaxIdKind = 'uscc' | 'legacy';

export type TaxIdCheck = { ok: true; kind: TaxIdKind } | { ok: false; reason: 'format' | 'check_char' };

/**
 * Checks a seller/buyer 纳税人识别号: 18 characters must be a valid USCC; 15, 17 and 20 characters are legacy
 * formats accepted on format only (tax-rules §7.5).
 */
export function checkTaxId(raw: string): TaxIdCheck {
  const code = raw.trim().toUpperCase();
  if (!/^[A-Z0-9]{15}$|^[A-Z0-9]{17,18}$|^[A-Z0-9]{20}$/.test(code)) return { ok: false, reason: 'format' };
  if (code.length === 18) return isValidUscc(code) ? { ok: true, kind: 'uscc' } : { ok: false, reason: 'check_char' };
  return { ok: true, kind: 'legacy' };
}

/** Values of the GB 11714 组织机构代码 alphabet: 0–9, then A=10 … Z=35 (tax-rules §7.4). */
const ORG_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2] as const;

/** Computes the GB 11714 组织机构代码 check character for its first 8 characters, or null if invalid. */
export function computeOrgCodeCheckChar(first8: string): string | null {
  if (!/^[0-9A-Z]{8}$/.test(first8)) return null;
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += Number.parseInt(first8[i] as string, 36) * (ORG_CODE_WEIGHTS[i] as number);
  const r = 11 - (sum % 11);
  return r === 10 ? 'X' : r === 11 ? '0' : String(r);
}

/**
 * Optional inner check of a USCC (tax-rules §7.4 [M]): chars 9–17 are a 组织机构代码 whose last char is its own
 * check character. Some valid USCCs (e.g. letter-prefixed registrations) may fail — use as a warning only.
 * Returns null when the USCC has no checkable org code (characters outside the GB 11714 alphabet).
 */
export function checkUsccOrgCode(uscc: string): boolean | null {
  if (uscc.length !== 18) return null;
  const expected = computeOrgCodeCheckChar(uscc.slice(8, 16));
  return expected === null ? null : expected === uscc[16];
}
