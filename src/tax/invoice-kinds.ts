/**
 * Invoice kinds we issue, keyed by the national 票种 code (`fplxdm`), and their separate mappings to the
 * 查验 (verification) type code and the QR type code. The code systems differ: keep them apart (tax-rules §1.1).
 */
import type { QrTypeCode } from './qr-types.js';
import type { VerificationTypeCode } from './verification-types.js';

/** Issuable invoice kinds, by 票种 code `fplxdm` (tax-rules §1.1, S-FPA 附件4). */
export const INVOICE_KINDS = ['81', '82', '85', '86', '004', '007', '025', '026', '028'] as const;

/** An issuable invoice kind (票种 code). */
export type InvoiceKind = (typeof INVOICE_KINDS)[number];

/** Medium of the invoice: electronic file or printed paper. */
export type InvoiceMedium = 'electronic' | 'paper';

/** Static facts about one invoice kind. */
export interface InvoiceKindInfo {
  readonly kind: InvoiceKind;
  /** Official Chinese name. */
  readonly name: string;
  /** Short name used in UIs. */
  readonly shortName: string;
  /** 增值税专用发票 (buyer tax id mandatory, input VAT deductible) — tax-rules §10. */
  readonly isSpecial: boolean;
  /** 数电 (fully digitalized) kinds number invoices with 20 digits; legacy kinds use code + 8-digit number. */
  readonly isDigital: boolean;
  readonly medium: InvoiceMedium;
  /** 查验 type code (tax-rules §1.1 column "查验"); vendors differ for 数电 — map per provider. */
  readonly verificationType: VerificationTypeCode;
  /** 2-digit type in field [1] of the invoice QR payload (tax-rules §3). */
  readonly qrType: QrTypeCode;
  /** 乐企 `fppz` for 数电 upload (01 专, 02 普), when it exists (tax-rules §1.1). */
  readonly leqiFppz?: '01' | '02';
}

const KIND_TABLE: Readonly<Record<InvoiceKind, InvoiceKindInfo>> = {
  '81': info('81', '电子发票（增值税专用发票）', '数电专票', true, true, 'electronic', '81', '31', '01'),
  '82': info('82', '电子发票（普通发票）', '数电普票', false, true, 'electronic', '82', '32', '02'),
  '85': info('85', '纸质发票（增值税专用发票）', '数电纸质专票', true, true, 'paper', '85', '31'),
  '86': info('86', '纸质发票（普通发票）', '数电纸质普票', false, true, 'paper', '86', '32'),
  '004': info('004', '增值税专用发票', '税控专票', true, false, 'paper', '01', '01'),
  '007': info('007', '增值税普通发票', '税控普票', false, false, 'paper', '04', '04'),
  '025': info('025', '增值税普通发票（卷式）', '卷票', false, false, 'paper', '11', '11'),
  '026': info('026', '增值税电子普通发票', '电子普票', false, false, 'electronic', '10', '10'),
  // QR type 20 for 电子专票 comes from one source only (tax-rules §1.1 [M], §11.3).
  '028': info('028', '增值税电子专用发票', '电子专票', true, false, 'electronic', '08', '20'),
};

function info(
  kind: InvoiceKind,
  name: string,
  shortName: string,
  isSpecial: boolean,
  isDigital: boolean,
  medium: InvoiceMedium,
  verificationType: VerificationTypeCode,
  qrType: QrTypeCode,
  leqiFppz?: '01' | '02',
): InvoiceKindInfo {
  const base = { kind, name, shortName, isSpecial, isDigital, medium, verificationType, qrType };
  return Object.freeze(leqiFppz ? { ...base, leqiFppz } : base);
}

/** True when `value` is one of {@link INVOICE_KINDS}. */
export function isInvoiceKind(value: unknown): value is InvoiceKind {
  return typeof value === 'string' && (INVOICE_KINDS as readonly string[]).includes(value);
}

/** Static facts for a kind. */
export function getInvoiceKindInfo(kind: InvoiceKind): InvoiceKindInfo {
  return KIND_TABLE[kind];
}

/** True for 专票 kinds (81, 85, 004, 028). */
export function isSpecialInvoiceKind(kind: InvoiceKind): boolean {
  return KIND_TABLE[kind].isSpecial;
}

/** True for 数电 kinds numbered with 20 digits (81, 82, 85, 86). */
export function isDigitalInvoiceKind(kind: InvoiceKind): boolean {
  return KIND_TABLE[kind].isDigital;
}

/** 查验 type code of a kind (81→81, 004→01, 007→04, 025→11, 026→10, 028→08 …). */
export function toVerificationType(kind: InvoiceKind): VerificationTypeCode {
  return KIND_TABLE[kind].verificationType;
}

/** QR type code of a kind (81→31, 82→32, 004→01, 026→10 …). */
export function toQrType(kind: InvoiceKind): QrTypeCode {
  return KIND_TABLE[kind].qrType;
}
