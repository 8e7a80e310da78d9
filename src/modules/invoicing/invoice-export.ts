/**
 * Bulk export of the invoice pool (销项发票 导出) as CSV or XLSX, streamed: the rows are read in keyset pages of
 * {@link EXPORT_PAGE_ROWS} (`id < last id of the previous page`, newest first) and each page is written to the
 * response before the next one is read, so an export of any size holds one page in memory (the writer is
 * src/platform/table-export.ts).
 */
import type { Kysely } from 'kysely';
import { toIsoCst } from '../../platform/clock.js';
import type { Database } from '../../platform/db/database.js';
import { type ExportColumn, type ExportFormat, tableExportChunks } from '../../platform/table-export.js';
import { fenToDecimalString, getInvoiceKindInfo, isInvoiceKind } from '../../tax/index.js';
import { type InvoiceExportRow, type InvoiceFilters, readInvoiceExportPage } from './invoice-lists.repo.js';
import type { InvoiceOrigin } from './invoicing.tables.js';

/** Rows read per query, and written per chunk. */
export const EXPORT_PAGE_ROWS = 1000;

export type { ExportFormat } from '../../platform/table-export.js';

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

/** Every origin has its name (the type makes a new origin fail to compile until it gets one). */
const ORIGIN_NAMES: Record<InvoiceOrigin, string> = {
  direct: '接口开票',
  scan_order: '扫码开票',
  counter_reservation: '预约开票',
};

const COLUMNS: readonly ExportColumn<InvoiceExportRow>[] = [
  { header: '流水号', type: 'text', width: 24, value: (r) => r.serial_no },
  { header: '状态', type: 'text', width: 10, value: (r) => STATUS_NAMES[r.status] ?? r.status },
  {
    header: '票种',
    type: 'text',
    width: 22,
    value: (r) => (isInvoiceKind(r.kind) ? getInvoiceKindInfo(r.kind).name : r.kind),
  },
  { header: '红蓝字', type: 'text', width: 8, value: (r) => (Number(r.is_red) === 1 ? '红字' : '蓝字') },
  { header: '发票代码', type: 'text', width: 14, value: (r) => r.code ?? '' },
  { header: '发票号码', type: 'text', width: 24, value: (r) => r.number ?? '' },
  {
    header: '开票时间',
    type: 'text',
    width: 26,
    value: (r) => (r.issued_at === null ? '' : toIsoCst(Number(r.issued_at))),
  },
  { header: '销方税号', type: 'text', width: 22, value: (r) => r.seller_tax_id },
  { header: '购方名称', type: 'text', width: 30, value: (r) => r.buyer_name },
  { header: '购方税号', type: 'text', width: 22, value: (r) => r.buyer_tax_id ?? '' },
  { header: '金额', type: 'money', width: 16, value: (r) => fenToDecimalString(Number(r.amount_fen)) },
  { header: '税额', type: 'money', width: 14, value: (r) => fenToDecimalString(Number(r.tax_fen)) },
  { header: '价税合计', type: 'money', width: 16, value: (r) => fenToDecimalString(Number(r.total_fen)) },
  { header: '来源', type: 'text', width: 10, value: (r) => ORIGIN_NAMES[r.origin as InvoiceOrigin] ?? r.origin },
  { header: '业务系统', type: 'text', width: 14, value: (r) => r.business_system_code ?? '' },
  { header: '失败原因', type: 'text', width: 30, value: (r) => r.failure_reason ?? '' },
];

/** Keyset pages of the matching rows, newest first; each page is read only when the previous one was consumed. */
export async function* exportPages(
  db: Kysely<Database>,
  tenantId: string,
  filters: InvoiceFilters,
  pageRows = EXPORT_PAGE_ROWS,
): AsyncGenerator<InvoiceExportRow[]> {
  let before: string | null = null;
  for (;;) {
    const rows = await readInvoiceExportPage(db, tenantId, filters, before, pageRows);
    if (rows.length > 0) yield rows;
    if (rows.length < pageRows) return;
    before = rows[rows.length - 1]!.id;
  }
}

/** The export file's bytes, chunk by chunk (one chunk per page and a few for the XLSX frame). */
export function exportChunks(
  format: ExportFormat,
  pages: AsyncIterable<InvoiceExportRow[]>,
): AsyncIterable<Uint8Array> {
  return tableExportChunks(format, COLUMNS, pages, '销项发票');
}

export { EXPORT_CONTENT_TYPES } from '../../platform/table-export.js';
