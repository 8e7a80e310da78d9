/**
 * Invoice QR payload (tax-rules §3). 数电: 8 fields, no trailing comma, amount = 价税合计, check code empty.
 * Legacy: 9 fields ending with an empty one (trailing comma), amount = 合计金额 (不含税), check code = 校验码
 * (empty for 专票). The last 4-hex field's official algorithm is unknown (§11.2): we emit a CRC-16 of fields
 * 0–6 and never claim it is official.
 */

import { crc16CcittFalse } from './crc16.js';
import { formatMoney } from './decimal.js';
import { getInvoiceKindInfo, type InvoiceKind } from './invoice-kinds.js';
import { type DigitalNumberHint, parseDigitalInvoiceNumber } from './invoice-number.js';
import { isValidLegacyInvoiceCode, isValidLegacyInvoiceNumber } from './legacy-invoice-code.js';
import { isQrTypeCode, QR_TYPE_NAMES, type QrTypeCode } from './qr-types.js';

/** QR payload version, always "01" (tax-rules §3.1 [H]). */
export const QR_VERSION = '01';

/** Input of {@link buildInvoiceQrPayload}. */
export interface InvoiceQrInput {
  readonly kind: InvoiceKind;
  /** 数电: 20 digits; legacy: 8 digits. */
  readonly invoiceNumber: string;
  /** Legacy: 10/12-digit 发票代码 (required); 数电纸质 85/86: optional 12-digit paper code; 数电 e-invoices: none. */
  readonly invoiceCode?: string;
  /** 价税合计 for 数电 kinds, 合计金额 (不含税) for legacy kinds — decimal string, formatted to 2 dp. */
  readonly amount: string;
  /** 开票日期 as YYYY-MM-DD or YYYYMMDD. */
  readonly issueDate: string;
  /** Legacy 普票: 20-digit 校验码 (ignored for 专票, which print none). */
  readonly checkCode?: string;
  /** Last field; default: our CRC-16 of fields 0–6 (4 uppercase hex). */
  readonly tail?: string;
}

/** Builds the comma-separated QR text. Throws a RangeError on malformed input. */
export function buildInvoiceQrPayload(input: InvoiceQrInput): string {
  const info = getInvoiceKindInfo(input.kind);
  const date = compactDate(input.issueDate);
  const amount = formatMoney(input.amount);
  let fields: string[];
  if (info.isDigital) {
    if (!parseDigitalInvoiceNumber(input.invoiceNumber)) throw new RangeError('数电发票号码须为 20 位数字');
    const code = input.invoiceCode ?? '';
    if (code !== '' && !(info.medium === 'paper' && /^\d{12}$/.test(code)))
      throw new RangeError('数电电子发票无发票代码');
    fields = [QR_VERSION, info.qrType, code, input.invoiceNumber, amount, date, ''];
  } else {
    if (!isValidLegacyInvoiceCode(input.invoiceCode ?? '')) throw new RangeError('发票代码须为 10 或 12 位数字');
    if (!isValidLegacyInvoiceNumber(input.invoiceNumber)) throw new RangeError('发票号码须为 8 位数字');
    const checkCode = info.isSpecial ? '' : (input.checkCode ?? '');
    if (!info.isSpecial && !/^\d{20}$/.test(checkCode)) throw new RangeError('普票校验码须为 20 位数字');
    fields = [QR_VERSION, info.qrType, input.invoiceCode ?? '', input.invoiceNumber, amount, date, checkCode];
  }
  const tail = input.tail ?? qrTail(fields);
  return [...fields, tail, ...(info.isDigital ? [] : [''])].join(',');
}

/** Our non-official 4-hex last field: CRC-16/CCITT-FALSE of fields 0–6 joined by commas, uppercase. */
export function qrTail(fields: readonly string[]): string {
  return crc16CcittFalse(fields.slice(0, 7).join(',')).toString(16).toUpperCase().padStart(4, '0');
}

/** Data read from a QR payload. */
export interface InvoiceQrData {
  readonly format: 'digital' | 'legacy';
  readonly version: string;
  readonly qrType: string;
  readonly qrTypeName?: string;
  /** Issuable kind when it can be inferred (31 → 81, 31 + code → 85, 01 → 004 …). */
  readonly kind?: InvoiceKind;
  readonly invoiceCode: string;
  readonly invoiceNumber: string;
  /** Amount as printed in the QR, normalised to 2 dp. */
  readonly amount: string;
  readonly amountBasis: 'tax_inclusive' | 'tax_exclusive';
  /** YYYY-MM-DD. */
  readonly issueDate: string;
  readonly checkCode: string;
  readonly tail: string;
  /** 数电 only: what the number's channel digits suggest (e.g. toll, railway). */
  readonly numberHint?: DigitalNumberHint;
}

/** Result of {@link parseInvoiceQrPayload}. */
export type InvoiceQrParse =
  | { readonly ok: true; readonly data: InvoiceQrData }
  | { readonly ok: false; readonly reason: 'url'; readonly url: string }
  | { readonly ok: false; readonly reason: 'unknown'; readonly message: string };

const AMOUNT = /^-?\d+(\.\d{1,2})?$/;

/** Parses a QR payload (tax-rules §3.3); URL payloads (blockchain invoices) and unknown shapes are reported as such. */
export function parseInvoiceQrPayload(text: string): InvoiceQrParse {
  const payload = text.trim();
  if (/^https?:\/\//i.test(payload)) return { ok: false, reason: 'url', url: payload };
  const parts = payload.split(',');
  const [version, qrType = '', code = '', number = '', amount = '', date = '', checkCode = '', tail = ''] = parts;
  const fail = (message: string): InvoiceQrParse => ({ ok: false, reason: 'unknown', message });
  if (version !== QR_VERSION || !/^\d{2}$/.test(qrType)) return fail('版本或票种字段不符');
  if (!AMOUNT.test(amount)) return fail('金额字段不符');
  const issueDate = expandDate(date);
  if (!issueDate) return fail('开票日期字段不符');
  const base = {
    version,
    qrType,
    invoiceCode: code,
    invoiceNumber: number,
    amount: formatMoney(amount),
    issueDate,
    tail,
  };
  const typeName = isQrTypeCode(qrType) ? { qrTypeName: QR_TYPE_NAMES[qrType] } : {};
  const digital = parseDigitalInvoiceNumber(number);
  if (digital && (code === '' || /^\d{12}$/.test(code)) && parts.length === 8) {
    const kind = inferKind(qrType, code !== '');
    return {
      ok: true,
      data: {
        ...base,
        ...typeName,
        ...(kind ? { kind } : {}),
        format: 'digital',
        amountBasis: 'tax_inclusive',
        checkCode: '',
        numberHint: digital.hint,
      },
    };
  }
  const trailingOk = parts.length === 8 || (parts.length === 9 && parts[8] === '');
  if (isValidLegacyInvoiceNumber(number) && isValidLegacyInvoiceCode(code) && trailingOk) {
    const kind = inferKind(qrType, true);
    return {
      ok: true,
      data: {
        ...base,
        ...typeName,
        ...(kind ? { kind } : {}),
        format: 'legacy',
        amountBasis: 'tax_exclusive',
        checkCode,
      },
    };
  }
  return fail('字段数量或号码格式不符');
}

function inferKind(qrType: string, hasCode: boolean): InvoiceKind | undefined {
  const byType: Partial<Record<QrTypeCode, InvoiceKind>> = hasCode
    ? { '31': '85', '32': '86', '01': '004', '04': '007', '11': '025', '10': '026', '20': '028' }
    : { '31': '81', '32': '82' };
  return isQrTypeCode(qrType) ? byType[qrType] : undefined;
}

/** "2024-05-14" or "20240514" → "20240514"; throws RangeError when not a real date. */
function compactDate(date: string): string {
  const compact = date.replace(/^(\d{4})-(\d{2})-(\d{2})$/, '$1$2$3');
  if (!expandDate(compact)) throw new RangeError(`invalid issue date ${date}`);
  return compact;
}

/** "20240514" → "2024-05-14", or null when not a real calendar date. */
export function expandDate(compact: string): string | null {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(compact);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  return `${m[1]}-${m[2]}-${m[3]}`;
}
