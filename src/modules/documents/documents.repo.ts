import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/database.js';
import { type Invoice, wasIssued } from '../invoicing/index.js';
import type { DocumentFormat } from './document-formats.js';
import type { InvoiceDocumentRow, InvoiceDocumentTable } from './documents.tables.js';

/** True when the invoice was issued (blue or red), so it has layout files. */
export function isIssuedInvoice(invoice: Invoice): boolean {
  return wasIssued(invoice.status) && invoice.number !== null && invoice.issued_at !== null;
}

export async function findDocumentRows(db: Kysely<Database>, invoiceId: string): Promise<InvoiceDocumentRow[]> {
  return db.selectFrom('invoice_documents').selectAll().where('invoice_id', '=', invoiceId).execute();
}

/** Inserts the rows whose (invoice, format) key is new: the first writer wins, later ones re-read. */
export async function insertDocumentRows(db: Kysely<Database>, rows: InvoiceDocumentTable[]): Promise<number> {
  const result = await db
    .insertInto('invoice_documents')
    .values(rows)
    .onConflict((oc) => oc.columns(['invoice_id', 'format']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}

export async function findDocumentRow(
  db: Kysely<Database>,
  invoiceId: string,
  format: DocumentFormat,
): Promise<InvoiceDocumentRow | undefined> {
  return db
    .selectFrom('invoice_documents')
    .selectAll()
    .where('invoice_id', '=', invoiceId)
    .where('format', '=', format)
    .executeTakeFirst();
}

/**
 * Whether an invoice's files are stored in this blob: its bundle (`blob_sha256`), or the file itself on rows from
 * before bundles (what `toRefs` reads them from). An index lookup: migration 0040 indexes this very expression.
 */
export async function isDocumentBlob(db: Kysely<Database>, sha256: string): Promise<boolean> {
  const row = await db
    .selectFrom('invoice_documents')
    .select('invoice_id')
    .where((eb) => eb(eb.fn.coalesce('blob_sha256', 'sha256'), '=', sha256))
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
