/**
 * Legacy 税控 发票代码 (10 or 12 digits) + 发票号码 (8 digits) — tax-rules §2.2, after the STA verification page
 * (`alxd`, `afcdm`, `ahm`, `getSwjg`).
 */
import type { VerificationTypeCode } from './verification-types.js';

/** Special-cased 12-digit 电子普票 codes (tax-rules §2.2). */
const SPECIAL_E_ORDINARY_CODES = new Set(['144031539110', '131001570151', '133011501118', '111001571071']);

/** 计划单列市 whose region code selects their own 查验 endpoint (tax-rules §2.2 `getSwjg`). */
const SEPARATE_PLAN_CITIES = new Set(['2102', '3302', '3502', '3702', '4403']);

/** True for an 8-digit 发票号码 that is not all zeros. */
export function isValidLegacyInvoiceNumber(number: string): boolean {
  return /^\d{8}$/.test(number) && number !== '00000000';
}

/** True for a 10- or 12-digit numeric 发票代码. */
export function isValidLegacyInvoiceCode(code: string): boolean {
  return /^\d{10}$|^\d{12}$/.test(code);
}

/** The 查验 type derived from a 发票代码 (STA `alxd`), or "99" when unknown. */
export function legacyVerificationTypeOfCode(code: string): VerificationTypeCode | '99' {
  if (code.length === 12 && /^\d{12}$/.test(code)) return typeOf12(code);
  if (code.length === 10 && /^\d{10}$/.test(code)) {
    const c8 = code[7] as string;
    if (c8 === '1' || c8 === '5') return '01';
    if (c8 === '3' || c8 === '6') return '04';
    if (c8 === '2' || c8 === '7') return '02';
  }
  return '99';
}

function typeOf12(code: string): VerificationTypeCode | '99' {
  if (SPECIAL_E_ORDINARY_CODES.has(code)) return '10';
  const t = code.slice(10, 12);
  const vat = code[0] === '0';
  if (vat && t === '11') return '10';
  if (vat && (t === '04' || t === '05')) return '04';
  if (vat && (t === '06' || t === '07')) return '11';
  if (vat && t === '12') return '14';
  if (vat && t === '17') return '15';
  if (code[7] === '2' && !vat) return '03';
  if (vat && t === '13') return '08';
  return '99';
}

/** Parts of a legacy 发票代码 (layout [M], for display/analytics only). */
export interface LegacyInvoiceCodeParts {
  readonly code: string;
  readonly verificationType: VerificationTypeCode | '99';
  /** 4-digit region (chars 2–5 of a 12-digit code, 1–4 of a 10-digit code). */
  readonly region: string;
  /** Region used to pick the 查验 endpoint: 计划单列市 kept, others → province + "00". */
  readonly endpointRegion: string;
  /** 2-digit year of printing. */
  readonly printYear: string;
  /** 10-digit codes only: 金额版本 (1 万元版, 2 十万元版, 3 百万元版, 4 千万元版). */
  readonly amountVersion?: string;
}

/** Parses a legacy 发票代码; null when it is not 10 or 12 digits. */
export function parseLegacyInvoiceCode(code: string): LegacyInvoiceCodeParts | null {
  if (!isValidLegacyInvoiceCode(code)) return null;
  const is12 = code.length === 12;
  const region = is12 ? code.slice(1, 5) : code.slice(0, 4);
  const base = {
    code,
    verificationType: legacyVerificationTypeOfCode(code),
    region,
    endpointRegion: SEPARATE_PLAN_CITIES.has(region) ? region : `${region.slice(0, 2)}00`,
    printYear: is12 ? code.slice(5, 7) : code.slice(4, 6),
  };
  return is12 ? base : { ...base, amountVersion: code.slice(9, 10) };
}
