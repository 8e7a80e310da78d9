import {
  type ExpressionBuilder,
  type Kysely,
  type QueryCreator,
  type RawBuilder,
  sql,
  type Transaction,
  type Updateable,
} from 'kysely';
import type { Database } from '../../platform/db/database.js';
import { fetchPage, type Page } from '../../platform/db/pagination.js';
import { type InvoiceStateEvent, transitionSources, transitionTarget } from './invoice-state-machine.js';
import type { Invoice, InvoiceTable } from './invoicing.tables.js';

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

/** Inserts many rows in one multi-row statement (the seed command); a duplicate serial number fails the statement. */
export async function insertInvoiceBatch(db: Db, invoices: readonly Invoice[]): Promise<void> {
  if (invoices.length > 0) await db.insertInto('invoices').values(invoices).execute();
}

/** Refreshes the planner's statistics of `invoices` after a bulk insert (what autovacuum / `PRAGMA optimize` do later). */
export async function analyzeInvoices(db: Db): Promise<void> {
  await sql`analyze invoices`.execute(db);
}

/**
 * PostgreSQL: inserts the invoice unless the tenant already has the serial number, and — only when it was inserted —
 * its job (`job`: a jobs insert from `deps.jobs.enqueueAfter('ins', …)`) and, given `audit`, its audit entry and the
 * sealer's job (audit's `auditInsertAfter` / `auditSealerAfter` on `ins`), in ONE statement. Null when the invoice was
 * not inserted; otherwise whether the job was (its key free).
 */
export async function insertInvoiceWithJob(
  db: Db,
  invoice: Invoice,
  job: RawBuilder<{ id: string }>,
  audit?: { entry: RawBuilder<{ id: string }>; sealer: RawBuilder<{ id: string }> },
): Promise<{ jobInserted: boolean } | null> {
  const base = db
    .with('ins', (qc) =>
      qc
        .insertInto('invoices')
        .values(invoice)
        .onConflict((oc) => oc.columns(['tenant_id', 'serial_no']).doNothing())
        .returning('id'),
    )
    .with('job', () => job);
  // The audit entry and its sealer job, when a console user or an API app asks: in the same statement, per `ins` row.
  const query = audit
    ? (base.with('audit', () => audit.entry).with('seal', () => audit.sealer) as unknown as typeof base)
    : base;
  const row = await query
    .selectFrom('ins')
    .select(['ins.id', sql<string | null>`(select id from job)`.as('job_id')])
    .executeTakeFirst();
  return row ? { jobInserted: row.job_id !== null } : null;
}

/** The columns a transition may set besides the status (the state machine sets that). */
export type InvoiceStatePatch = Omit<Updateable<InvoiceTable>, 'id' | 'tenant_id' | 'status'>;

/**
 * Performs one transition of the state machine (invoice-state-machine.ts) as a compare-and-set: updates only while
 * the invoice is in one of the event's from-states, so two racing actions (a retry and a cancel, two red requests)
 * cannot both win. The only write of `invoices.status` after the insert. Returns true when this call changed the row.
 * `notify`: a signal folded into the same statement (platform signals `fold`, PostgreSQL): `with t as (update …
 * returning id) select pg_notify(…) from t`, so it is sent — at the commit of the caller's transaction — exactly
 * when the transition happened, and costs no statement of its own; null (SQLite): a plain update.
 */
export async function transitionInvoice(
  db: Db,
  id: string,
  event: InvoiceStateEvent,
  patch: InvoiceStatePatch,
  notify: RawBuilder<unknown> | null = null,
): Promise<boolean> {
  const update = (qc: QueryCreator<Database>) =>
    qc
      .updateTable('invoices')
      .set({ ...patch, status: transitionTarget(event) })
      .where('id', '=', id)
      .where('status', 'in', transitionSources(event));
  if (notify) {
    const rows = await db
      .with('t', (qc) => update(qc).returning('id'))
      .selectFrom('t')
      .select(notify.as('n'))
      .execute();
    return rows.length === 1;
  }
  const result = await update(db).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Updates fields of an invoice by id, never its status (status changes go through {@link transitionInvoice}). */
export async function updateInvoiceById(
  db: Db,
  id: string,
  set: Omit<Updateable<InvoiceTable>, 'status'>,
): Promise<void> {
  await db.updateTable('invoices').set(set).where('id', '=', id).execute();
}

/**
 * An invoice and the red invoices against it (oldest first), in one statement: `id = $1 or (tenant_id = $2 and
 * blue_invoice_id = $1)` (primary key and `invoices_blue_idx`). For a red invoice `reds` is empty.
 */
export async function findInvoiceWithReds(
  db: Db,
  tenantId: string,
  id: string,
): Promise<{ invoice: Invoice; reds: Invoice[] } | undefined> {
  const rows = await db
    .selectFrom('invoices')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', id), eb.and([eb('tenant_id', '=', tenantId), eb('blue_invoice_id', '=', id)])]))
    .execute();
  const invoice = rows.find((r) => r.id === id);
  if (!invoice) return undefined;
  const reds = rows
    .filter((r) => r.id !== id)
    .sort((a, b) => a.created_at - b.created_at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { invoice, reds };
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
  filters: { status?: string; sellerTaxIds?: readonly string[] | null },
  page: { cursor?: string; limit: number },
): Promise<Page<Invoice>> {
  let q = db.selectFrom('invoices').selectAll().where('tenant_id', '=', tenantId).where('red_form_id', 'is not', null);
  if (filters.status) q = q.where('red_form_status', '=', filters.status);
  if (filters.sellerTaxIds) q = q.where(inSellers(filters.sellerTaxIds));
  return fetchPage(q, page);
}

/** `seller_tax_id in (…)` for a clerk's orgs (none assigned: nothing matches). */
export function inSellers(taxIds: readonly string[]) {
  return (eb: ExpressionBuilder<Database, 'invoices'>) =>
    taxIds.length === 0 ? sql<boolean>`1 = 0` : eb('seller_tax_id', 'in', taxIds);
}
