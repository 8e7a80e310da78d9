/**
 * Export of a period's selections (抵扣勾选清单) as CSV or XLSX, streamed in keyset pages through
 * src/platform/table-export.ts: numbers, codes and tax ids are text; money is a number with 2 decimals.
 */
import type { Kysely } from 'kysely';
import { toIsoCst } from '../../../platform/clock.js';
import type { Database } from '../../../platform/db/database.js';
import { type ExportColumn, type ExportFormat, tableExportChunks } from '../../../platform/table-export.js';
import { exportMoney, INVOICE_AMOUNT_COLUMN, INVOICE_IDENTITY_COLUMNS } from '../../collection/index.js';
import { type DeductionSelection, exportSelectionsPage } from './deduction.repo.js';

const PAGE_ROWS = 1000;
const STATUS_NAMES: Record<string, string> = { selected: '已勾选', confirmed: '已确认', not_deductible: '不抵扣' };
const BASIS_NAMES: Record<string, string> = { printed: '票面税额', computed: '计算抵扣' };

const COLUMNS: readonly ExportColumn<DeductionSelection>[] = [
  { header: '所属期', type: 'text', width: 10, value: (r) => r.period ?? '' },
  ...INVOICE_IDENTITY_COLUMNS,
  INVOICE_AMOUNT_COLUMN,
  { header: '可抵扣税额', type: 'money', width: 14, value: (r) => exportMoney(r.full_tax_fen) },
  { header: '有效抵扣税额', type: 'money', width: 14, value: (r) => exportMoney(r.tax_fen) },
  { header: '税额来源', type: 'text', width: 10, value: (r) => BASIS_NAMES[r.tax_basis ?? ''] ?? '' },
  { header: '状态', type: 'text', width: 8, value: (r) => STATUS_NAMES[r.status] ?? r.status },
  { header: '操作人', type: 'text', width: 20, value: (r) => r.actor },
  { header: '勾选时间', type: 'text', width: 26, value: (r) => toIsoCst(Number(r.updated_at)) },
  { header: 'ID', type: 'text', width: 30, value: (r) => r.received_invoice_id },
];

async function* pages(
  db: Kysely<Database>,
  tenantId: string,
  buyerTaxId: string,
  period: string,
): AsyncGenerator<DeductionSelection[]> {
  let after: string | null = null;
  for (;;) {
    const rows = await exportSelectionsPage(db, tenantId, buyerTaxId, period, after, PAGE_ROWS);
    if (rows.length > 0) yield rows;
    if (rows.length < PAGE_ROWS) return;
    after = rows[rows.length - 1]!.received_invoice_id;
  }
}

/** The export file's bytes, chunk by chunk. */
export function deductionExportChunks(
  format: ExportFormat,
  db: Kysely<Database>,
  tenantId: string,
  buyerTaxId: string,
  period: string,
): AsyncIterable<Uint8Array> {
  return tableExportChunks(format, COLUMNS, pages(db, tenantId, buyerTaxId, period), `抵扣勾选${period}`);
}
