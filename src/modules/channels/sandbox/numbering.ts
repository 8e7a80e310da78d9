/**
 * Pure numbering rules of the simulated platform: China-time calendar parts, the seller's region, legacy 发票代码,
 * 校验码 and 红字确认单编号. The 20-digit 数电 number itself is composed by src/tax (tax-rules §2.1).
 */
import { createHash } from 'node:crypto';
import { composeDigitalInvoiceNumber, getInvoiceKindInfo, type InvoiceKind } from '../../../tax/index.js';

const CHINA_OFFSET_MS = 8 * 3_600_000;

/** `开具渠道` digit for invoices issued on the platform itself (tax-rules §2.1: 2 = web/client platform). */
export const PLATFORM_CHANNEL_DIGIT = '2';

/** Calendar parts of an instant in China time (UTC+8, no DST). */
export function chinaDateParts(epochMs: number): { year: number; month: string; date: string; yymmdd: string } {
  const iso = new Date(epochMs + CHINA_OFFSET_MS).toISOString();
  const date = iso.slice(0, 10);
  return { year: Number(iso.slice(0, 4)), month: iso.slice(0, 7), date, yymmdd: date.slice(2).replaceAll('-', '') };
}

/** Start (epoch ms) of a YYYY-MM month in China time. */
export function chinaMonthStart(month: string): number {
  return Date.parse(`${month}-01T00:00:00+08:00`);
}

/**
 * The seller's 6-digit 行政区划码: the org's region code, else USCC characters 3–8 (tax-rules §7.2 [H]).
 * Null when neither gives six digits.
 */
export function sellerRegion(regionCode: string | null, taxId: string): string | null {
  if (regionCode && /^\d{6}$/.test(regionCode)) return regionCode;
  const fromTaxId = taxId.slice(2, 8);
  return /^\d{6}$/.test(fromTaxId) ? fromTaxId : null;
}

/**
 * Legacy 发票代码 for a 税控 kind, shaped so the STA `alxd` algorithm (tax-rules §2.2) maps it back to the kind:
 * 10 digits for 004 (region4 + yy + batch + type 1 + 联次 + 金额版本), 12 digits for the others
 * ("0" + region4 + yy + batch3 + type 04 普票 / 06 卷票 / 11 电子普票 / 13 电子专票).
 */
export function composeLegacyInvoiceCode(kind: InvoiceKind, region6: string, year: number): string {
  const region4 = region6.slice(0, 4);
  const yy = String(year % 100).padStart(2, '0');
  const suffix12: Partial<Record<InvoiceKind, string>> = { '007': '04', '025': '06', '026': '11', '028': '13' };
  if (kind === '004') return `${region4}${yy}0133`;
  const type = suffix12[kind];
  if (!type) throw new RangeError(`kind ${kind} has no legacy invoice code`);
  return `0${region4}${yy}000${type}`;
}

/** True for kinds numbered with 发票代码 + 8-digit 发票号码. */
export function isLegacyKind(kind: InvoiceKind): boolean {
  return !getInvoiceKindInfo(kind).isDigital;
}

/** 8-digit legacy 发票号码 (tax-rules §2.2: 8 digits, not all zeros). */
export function composeLegacyInvoiceNumber(sequence: number): string {
  if (!Number.isInteger(sequence) || sequence < 1 || sequence > 99_999_999) {
    throw new RangeError(`legacy sequence out of range: ${sequence}`);
  }
  return String(sequence).padStart(8, '0');
}

/**
 * How an invoice of `kind` issued by a seller in `region6` in `year` is numbered: the sequence it draws from and the
 * number as `prefix` + the sequence zero-padded to `width` digits (what the one-statement issue composes in SQL;
 * {@link composeInvoiceNumber} is the same in code, through src/tax).
 * 数电: yy + province + channel digit + 15 digits, one sequence per (yy, province, channel) — tax-rules §2.1 says the
 * number is unique per (yy, prov, channel), so sellers of one province share a sequence (it cannot be per seller
 * without breaking that uniqueness). Legacy: one 8-digit sequence per 发票代码 (region4 + yy + type).
 */
export interface NumberPlan {
  readonly kind: InvoiceKind;
  readonly year: number;
  readonly region6: string;
  readonly scope: string;
  /** 发票代码 of a legacy kind; '' for 数电. */
  readonly code: string;
  readonly prefix: string;
  readonly width: number;
}

export function numberPlan(kind: InvoiceKind, region6: string, year: number): NumberPlan {
  if (isLegacyKind(kind)) {
    const code = composeLegacyInvoiceCode(kind, region6, year);
    return { kind, year, region6, scope: `legacy:${code}`, code, prefix: '', width: 8 };
  }
  const province = region6.slice(0, 2);
  const prefix = composeDigitalInvoiceNumber({ year, region: province, channel: PLATFORM_CHANNEL_DIGIT, sequence: 0 });
  return {
    kind,
    year,
    region6,
    scope: `digital:${year % 100}:${province}`,
    code: '',
    prefix: prefix.slice(0, 5),
    width: 15,
  };
}

/** The number a plan gives the `sequence`-th invoice (src/tax composes and range-checks it). */
export function composeInvoiceNumber(plan: NumberPlan, sequence: number): string {
  if (plan.code !== '') return composeLegacyInvoiceNumber(sequence);
  return composeDigitalInvoiceNumber({
    year: plan.year,
    region: plan.region6.slice(0, 2),
    channel: PLATFORM_CHANNEL_DIGIT,
    sequence,
  });
}

/** A 20-digit 校验码 derived from `seed` (deterministic; the real algorithm is not public). */
export function deriveCheckCode(seed: string): string {
  const digest = createHash('sha256').update(seed, 'utf8').digest();
  let out = '';
  for (let i = 0; out.length < 20; i++) out += String((digest[i % digest.length] as number) % 10);
  return out;
}

/**
 * 红字发票信息确认单编号: 6-digit region + YYMMDD (China time) + 8-digit sequence — the layout observed on real
 * forms (tax-rules §8.1 item 6, [L] inference), 20 characters as `hzqrxxdbh` requires.
 */
export function composeRedFormNo(region6: string, appliedAt: number, sequence: number): string {
  if (!/^\d{6}$/.test(region6)) throw new RangeError(`region must be 6 digits: ${region6}`);
  if (!Number.isInteger(sequence) || sequence < 1 || sequence > 99_999_999) {
    throw new RangeError(`form sequence out of range: ${sequence}`);
  }
  return `${region6}${chinaDateParts(appliedAt).yymmdd}${String(sequence).padStart(8, '0')}`;
}

/** How a form applied for in `region6` at `appliedAt` is numbered ({@link composeRedFormNo} for sequence n). */
export function redFormNumbering(region6: string, appliedAt: number): { scope: string; prefix: string; width: number } {
  const prefix = composeRedFormNo(region6, appliedAt, 1).slice(0, 12);
  return { scope: `red_form:${region6}:${chinaDateParts(appliedAt).yymmdd}`, prefix, width: 8 };
}
