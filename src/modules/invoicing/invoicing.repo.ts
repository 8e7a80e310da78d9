import type { Kysely, Transaction, Updateable } from 'kysely';
import type { Database } from '../../platform/db/database.js';
import { fetchPage, type Page } from '../../platform/db/pagination.js';
import type { Invoice, InvoiceStatus, InvoiceTable } from './invoicing.tables.js';

type Db = Kysely<Database> | Transaction<Database>;

export async function findInvoiceBySerial(db: Db, tenantId: string, serialNo: string): Promise<Invoice | undefined> {
  return db
    .selectFrom('invoices')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('serial_no', '=', serialNo)
    .executeTakeFirst();
}

export async function findInvoiceById(db: Db, id: string): Promise<Invoice | undefined> {
  return db.selectFrom('invoices').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Inserts unless the tenant already has the serial number; true when this call inserted. */
export async function insertInvoice(db: Db, invoice: Invoice): Promise<boolean> {
  const result = await db
    .insertInto('invoices')
    .values(invoice)
    .onConflict((oc) => oc.columns(['tenant_id', 'serial_no']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

/**
 * Compare-and-set on the status: updates only while the invoice is in one of `from`, so two racing actions
 * (a retry and a cancel, two red requests) cannot both win. Returns true when this call changed the row.
 */
export async function updateInvoiceIf(
  db: Db,
  id: string,
  from: readonly InvoiceStatus[],
  set: Updateable<InvoiceTable>,
): Promise<boolean> {
  const result = await db
    .updateTable('invoices')
    .set(set)
    .where('id', '=', id)
    .where('status', 'in', [...from])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Updates an invoice by id, whatever its status (for a compare-and-set on the status, {@link updateInvoiceIf}). */
export async function updateInvoiceById(db: Db, id: string, set: Updateable<InvoiceTable>): Promise<void> {
  await db.updateTable('invoices').set(set).where('id', '=', id).execute();
}

/** Red invoices issued or in flight against a blue invoice, oldest first. */
export async function findRedsOfBlue(db: Db, tenantId: string, blueId: string): Promise<Invoice[]> {
  return db
    .selectFrom('invoices')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('blue_invoice_id', '=', blueId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** The red invoice request that applied for a confirmation form. */
export async function findInvoiceByRedForm(db: Db, tenantId: string, formId: string): Promise<Invoice | undefined> {
  return db
    .selectFrom('invoices')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('red_form_id', '=', formId)
    .executeTakeFirst();
}

/** The red requests that have a red confirmation form (红字确认单), newest first, one cursor page. */
export async function listRedFormRequests(
  db: Db,
  tenantId: string,
  filters: { status?: string },
  page: { cursor?: string; limit: number },
): Promise<Page<Invoice>> {
  let q = db.selectFrom('invoices').selectAll().where('tenant_id', '=', tenantId).where('red_form_id', 'is not', null);
  if (filters.status) q = q.where('red_form_status', '=', filters.status);
  return fetchPage(q, page);
}
