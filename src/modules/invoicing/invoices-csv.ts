import { toIsoCst } from '../../platform/clock.js';
import { fenToDecimalString, getInvoiceKindInfo, type InvoiceKind } from '../../tax/index.js';
import type { Invoice } from './invoicing.tables.js';

const STATUS_NAMES: Record<string, string> = {
  pending: '待开具',
  issuing: '开具中',
  issued: '已开具',
  failed: '开具失败',
  cancelled: '已取消',
  red_pending: '红冲待确认',
  reversed: '已红冲',
  partially_reversed: '部分红冲',
};

export const INVOICE_CSV_HEADER = [
  '流水号',
  '状态',
  '票种',
  '红蓝字',
  '发票代码',
  '发票号码',
  '开票时间',
  '销方税号',
  '购方名称',
  '购方税号',
  '金额',
  '税额',
  '价税合计',
  '失败原因',
];

function cell(value: string): string {
  // Quote every cell; neutralise leading = + - @ so spreadsheets do not evaluate them (CSV injection).
  const safe = /^[=+@\t\r]/.test(value) || (/^-/.test(value) && !/^-\d/.test(value)) ? `'${value}` : value;
  return `"${safe.replace(/"/g, '""')}"`;
}

/** One CSV line per invoice, in the column order of INVOICE_CSV_HEADER. */
export function invoiceCsvRow(i: Invoice): string {
  return [
    i.serial_no,
    STATUS_NAMES[i.status] ?? i.status,
    getInvoiceKindInfo(i.kind as InvoiceKind).name,
    i.is_red === 1 ? '红字' : '蓝字',
    i.code ?? '',
    i.number ?? '',
    i.issued_at === null ? '' : toIsoCst(i.issued_at),
    i.seller_tax_id,
    i.buyer_name,
    i.buyer_tax_id ?? '',
    fenToDecimalString(i.amount_fen),
    fenToDecimalString(i.tax_fen),
    fenToDecimalString(i.total_fen),
    i.failure_reason ?? '',
  ]
    .map(cell)
    .join(',');
}
