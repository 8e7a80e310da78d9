/** `openfapiao sandbox import-ledger FILE`: invoices from elsewhere for the sandbox's 查验. */
import { type ImportLineError, parseLedgerImport } from './import-ledger-format.js';
import type { SandboxContext } from './sandbox-context.js';
import { type ImportedInvoiceRow, upsertImportedInvoices } from './verify.repo.js';
import { encodeImportLines } from './verify-on-platform.js';

/** Outcome of an import: every row stored, or nothing stored and the problems by line. */
export type LedgerImportResult =
  | { readonly ok: true; readonly format: 'jsonl' | 'csv'; readonly imported: number }
  | { readonly ok: false; readonly errors: readonly ImportLineError[] };

/**
 * Validates every row of an import file and, only when all are valid, stores them (a row with the code + number of an
 * earlier import replaces it: that is how an operator marks an invoice void or red-reversed later).
 */
export async function importLedger(
  ctx: Pick<SandboxContext, 'db' | 'clock'>,
  input: { fileName: string; text: string },
): Promise<LedgerImportResult> {
  const parsed = parseLedgerImport(input.text);
  if (!parsed.ok) return { ok: false, errors: parsed.errors };
  const now = ctx.clock.now();
  const source = input.fileName.slice(-200);
  const rows: ImportedInvoiceRow[] = parsed.rows.map((r) => ({
    code: r.code,
    number: r.number,
    kind: r.kind,
    issue_date: r.issueDate,
    check_code: r.checkCode,
    seller_name: r.sellerName,
    seller_tax_id: r.sellerTaxId,
    buyer_name: r.buyerName,
    buyer_tax_id: r.buyerTaxId,
    amount_fen: r.amountFen,
    tax_fen: r.taxFen,
    total_fen: r.totalFen,
    lines_json: encodeImportLines(r.lines),
    remark: r.remark,
    status: r.status,
    red_amount_fen: r.redAmountFen,
    red_tax_fen: r.redTaxFen,
    source,
    imported_at: now,
  }));
  await upsertImportedInvoices(ctx.db, rows);
  return { ok: true, format: parsed.format, imported: rows.length };
}
