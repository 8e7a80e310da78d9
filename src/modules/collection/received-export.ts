/**
 * Export of the received-invoice pool (进项发票 导出) as CSV or XLSX, streamed in keyset pages (the writer is
 * src/platform/table-export.ts): numbers, codes and tax ids are text; money is a number with 2 decimals.
 */
import type { Kysely } from 'kysely';
import { toIsoCst } from '../../platform/clock.js';
import type { Database } from '../../platform/db/database.js';
import { type ExportColumn, type ExportFormat, tableExportChunks } from '../../platform/table-export.js';
import {
  fenToDecimalString,
  RECEIVED_INVOICE_KIND_NAMES,
  type ReceivedInvoiceKind,
  usageStatusName,
  verificationStatusName,
} from '../../tax/index.js';
import { actorDisplayNames, actorNameOf } from '../auth/index.js';
import type { ReceivedInvoice } from './collection.tables.js';
import { exportPage, type ReceivedInvoiceFilters } from './received.repo.js';
import { deductionStateOf, loadDeductionRecords } from './received-view.js';

/** Rows read per query, and written per chunk. */
export const RECEIVED_EXPORT_PAGE_ROWS = 1000;

type Row = Awaited<ReturnType<typeof exportPage>>[number] & {
  deduction: ReturnType<typeof deductionStateOf>;
  /** 提交人 as shown (actorDisplayNames), else the stored id or address. */
  broughtByName: string;
};

const COMPLIANCE_NAMES: Record<string, string> = { pending: '待检查', pass: '通过', warn: '警告', block: '拦截' };
const SOURCE_NAMES: Record<string, string> = {
  upload: '上传',
  mail: '邮件',
  manual: '手工录入',
  api: '接口',
  assistant: '助手',
};

/** Money as every export of received invoices writes it: fen → a decimal string with 2 places, empty when unknown. */
export const exportMoney = (fen: number | null): string => (fen === null ? '' : fenToDecimalString(Number(fen)));

/** What the invoice-identity columns read: a pool row, or a copy of its identity (抵扣勾选's selections). */
export type InvoiceIdentityRow = Pick<
  ReceivedInvoice,
  'kind' | 'code' | 'number' | 'issue_date' | 'seller_name' | 'seller_tax_id'
>;

/**
 * The invoice-identity columns every export of received invoices has, in this order: 票种, 发票代码, 发票号码, 开票日期,
 * 销方名称, 销方税号 (the pool's export, 抵扣勾选清单).
 */
export const INVOICE_IDENTITY_COLUMNS: readonly ExportColumn<InvoiceIdentityRow>[] = [
  {
    header: '票种',
    type: 'text',
    width: 26,
    value: (r) => RECEIVED_INVOICE_KIND_NAMES[r.kind as ReceivedInvoiceKind] ?? r.kind,
  },
  { header: '发票代码', type: 'text', width: 14, value: (r) => r.code ?? '' },
  { header: '发票号码', type: 'text', width: 24, value: (r) => r.number ?? '' },
  { header: '开票日期', type: 'text', width: 12, value: (r) => r.issue_date ?? '' },
  { header: '销方名称', type: 'text', width: 30, value: (r) => r.seller_name ?? '' },
  { header: '销方税号', type: 'text', width: 22, value: (r) => r.seller_tax_id ?? '' },
];

/** 金额 (the amount before tax), as every export of received invoices writes it. */
export const INVOICE_AMOUNT_COLUMN: ExportColumn<Pick<ReceivedInvoice, 'amount_fen'>> = {
  header: '金额',
  type: 'money',
  width: 16,
  value: (r) => exportMoney(r.amount_fen),
};

const COLUMNS: readonly ExportColumn<Row>[] = [
  ...INVOICE_IDENTITY_COLUMNS,
  { header: '购方名称', type: 'text', width: 30, value: (r) => r.buyer_name ?? '' },
  { header: '购方税号', type: 'text', width: 22, value: (r) => r.buyer_tax_id ?? '' },
  INVOICE_AMOUNT_COLUMN,
  { header: '税额', type: 'money', width: 14, value: (r) => exportMoney(r.tax_fen) },
  { header: '价税合计', type: 'money', width: 16, value: (r) => exportMoney(r.total_fen) },
  { header: '校验码', type: 'text', width: 24, value: (r) => r.check_code ?? '' },
  {
    header: '查验状态',
    type: 'text',
    width: 12,
    value: (r) => verificationStatusName(r.verification_status),
  },
  {
    header: '合规结果',
    type: 'text',
    width: 10,
    value: (r) => COMPLIANCE_NAMES[r.compliance_result] ?? r.compliance_result,
  },
  { header: '重复', type: 'text', width: 8, value: (r) => (r.duplicate_of ? '重复' : '') },
  { header: '报销状态', type: 'text', width: 10, value: (r) => usageStatusName(r.usage_status) },
  { header: '抵扣状态', type: 'text', width: 10, value: (r) => r.deduction.statusName },
  { header: '所属期', type: 'text', width: 10, value: (r) => r.deduction.period ?? '' },
  { header: '有效抵扣税额', type: 'money', width: 14, value: (r) => r.deduction.tax ?? '' },
  { header: '不抵扣原因', type: 'text', width: 30, value: (r) => r.deduction.reason ?? '' },
  { header: '来源', type: 'text', width: 10, value: (r) => SOURCE_NAMES[r.source] ?? r.source },
  { header: '提交人', type: 'text', width: 24, value: (r) => r.broughtByName },
  { header: '收票时间', type: 'text', width: 26, value: (r) => toIsoCst(Number(r.created_at)) },
  { header: 'ID', type: 'text', width: 30, value: (r) => r.id },
];

async function* pages(db: Kysely<Database>, tenantId: string, filters: ReceivedInvoiceFilters): AsyncGenerator<Row[]> {
  let before: string | null = null;
  for (;;) {
    const rows = await exportPage(db, tenantId, filters, before, RECEIVED_EXPORT_PAGE_ROWS);
    const [records, names] = await Promise.all([
      loadDeductionRecords(
        db,
        tenantId,
        rows.map((r) => r.id),
      ),
      actorDisplayNames(
        db,
        tenantId,
        rows.map((r) => r.brought_by),
      ),
    ]);
    if (rows.length > 0) {
      yield rows.map((r) => ({
        ...r,
        deduction: deductionStateOf(r, records.get(r.id) ?? null),
        broughtByName: actorNameOf(names, r.brought_by) ?? '',
      }));
    }
    if (rows.length < RECEIVED_EXPORT_PAGE_ROWS) return;
    before = rows[rows.length - 1]!.id;
  }
}

/** The export file's bytes, chunk by chunk. */
export function receivedExportChunks(
  format: ExportFormat,
  db: Kysely<Database>,
  tenantId: string,
  filters: ReceivedInvoiceFilters,
): AsyncIterable<Uint8Array> {
  return tableExportChunks(format, COLUMNS, pages(db, tenantId, filters), '进项发票');
}
