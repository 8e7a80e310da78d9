/**
 * Kinds of invoices a company RECEIVES (收票), a superset of the kinds we issue (invoice-kinds.ts): 数电 e-invoices
 * and their paper forms, the 数电 passenger tickets (铁路 51, 航空 61), vehicle kinds, and the legacy 税控 kinds,
 * keyed by the national 票种 code `fplxdm` (tax-rules §1.1). Anything else is `other`.
 */
import { legacyVerificationTypeOfCode } from './legacy-invoice-code.js';

/** Received-invoice kinds by 票种 code (tax-rules §1.1), plus `other`. */
export const RECEIVED_INVOICE_KINDS = [
  '81',
  '82',
  '85',
  '86',
  '51',
  '61',
  '83',
  '84',
  '004',
  '007',
  '025',
  '026',
  '027',
  '028',
  '003',
  '006',
  'other',
] as const;

/** A received-invoice kind. */
export type ReceivedInvoiceKind = (typeof RECEIVED_INVOICE_KINDS)[number];

/** Official Chinese names of the received kinds. */
export const RECEIVED_INVOICE_KIND_NAMES: Readonly<Record<ReceivedInvoiceKind, string>> = {
  '81': '电子发票（增值税专用发票）',
  '82': '电子发票（普通发票）',
  '85': '纸质发票（增值税专用发票）',
  '86': '纸质发票（普通发票）',
  '51': '电子发票（铁路电子客票）',
  '61': '电子发票（航空运输电子客票行程单）',
  '83': '电子发票（机动车销售统一发票）',
  '84': '电子发票（二手车销售统一发票）',
  '004': '增值税专用发票',
  '007': '增值税普通发票',
  '025': '增值税普通发票（卷式）',
  '026': '增值税电子普通发票',
  '027': '增值税电子普通发票（通行费）',
  '028': '增值税电子专用发票',
  '003': '机动车销售统一发票',
  '006': '二手车销售统一发票',
  other: '其他票据',
};

/** True for the 数电 kinds numbered with 20 digits and no 发票代码. */
export function isDigitalReceivedKind(kind: ReceivedInvoiceKind): boolean {
  return ['81', '82', '85', '86', '51', '61', '83', '84'].includes(kind);
}

/** True for the kinds whose 查验 fourth input is the 校验码 (legacy 普票 family, tax-rules §4). */
export function usesCheckCode(kind: ReceivedInvoiceKind): boolean {
  return ['007', '025', '026', '027'].includes(kind);
}

/** The legacy kind a 10/12-digit 发票代码 denotes (STA `alxd`, tax-rules §2.2), or null when unknown. */
export function receivedKindOfLegacyCode(code: string): ReceivedInvoiceKind | null {
  const byType: Record<string, ReceivedInvoiceKind> = {
    '01': '004',
    '03': '003',
    '04': '007',
    '08': '028',
    '10': '026',
    '11': '025',
    '14': '027',
    '15': '006',
  };
  return byType[legacyVerificationTypeOfCode(code)] ?? null;
}

/**
 * The kind named by a printed invoice title (电子发票（普通发票）, 增值税电子普通发票 …), or null. Full-width and
 * half-width brackets and spaces are ignored.
 */
export function receivedKindOfTitle(title: string): ReceivedInvoiceKind | null {
  const t = title.replace(/\s+/g, '').replace(/\(/g, '（').replace(/\)/g, '）');
  if (t.includes('铁路电子客票')) return '51';
  if (t.includes('航空运输电子客票行程单')) return '61';
  if (t.includes('二手车销售统一发票')) return t.startsWith('电子发票') ? '84' : '006';
  if (t.includes('机动车销售统一发票')) return t.startsWith('电子发票') ? '83' : '003';
  if (t.includes('电子发票（增值税专用发票）')) return '81';
  if (t.includes('电子发票（普通发票）')) return '82';
  if (t.includes('纸质发票（增值税专用发票）')) return '85';
  if (t.includes('纸质发票（普通发票）')) return '86';
  if (t.includes('通行费')) return '027';
  if (t.includes('增值税电子专用发票')) return '028';
  if (t.includes('增值税电子普通发票')) return '026';
  if (t.includes('卷式')) return '025';
  if (t.includes('增值税专用发票')) return '004';
  if (t.includes('增值税普通发票')) return '007';
  return null;
}
