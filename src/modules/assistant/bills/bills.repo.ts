import type { Insertable, Kysely } from 'kysely';
import type { DbDialect } from '../../../platform/db/create-db.js';
import type { Database } from '../../../platform/db/database.js';
import { fetchPage, type Page } from '../../../platform/db/pagination.js';
import type { Bill, BillInvoice, BillInvoiceTable, BillStatus, BillTable } from '../assistant.tables.js';

/** A bill by its key; with `lock` (the dialect) its row stays locked to the end of the transaction on PostgreSQL. */
export async function findBill(
  db: Kysely<Database>,
  tenantId: string,
  resource: string,
  billId: string,
  lock?: DbDialect,
): Promise<Bill | undefined> {
  const q = db
    .selectFrom('bills')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('resource', '=', resource)
    .where('bill_id', '=', billId);
  return (lock === 'postgres' ? q.forUpdate() : q).executeTakeFirst();
}

/** Bills by primary key; with `lockOn: 'postgres'` locked until the transaction ends (ascending ids). */
export async function findBillsByPks(
  db: Kysely<Database>,
  tenantId: string,
  pks: readonly string[],
  lockOn?: DbDialect,
): Promise<Bill[]> {
  if (pks.length === 0) return [];
  const q = db
    .selectFrom('bills')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', [...new Set(pks)].sort())
    .orderBy('id');
  return (lockOn === 'postgres' ? q.forUpdate() : q).execute();
}

/** A business system's bills by their ids; with `lockOn: 'postgres'` locked until the transaction ends. */
export async function findBillsByBillIds(
  db: Kysely<Database>,
  tenantId: string,
  resource: string,
  billIds: readonly string[],
  lockOn?: DbDialect,
): Promise<Bill[]> {
  if (billIds.length === 0) return [];
  const q = db
    .selectFrom('bills')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('resource', '=', resource)
    .where('bill_id', 'in', [...new Set(billIds)].sort())
    .orderBy('bill_id');
  return (lockOn === 'postgres' ? q.forUpdate() : q).execute();
}

/**
 * Inserts the bill or updates its fields (tenant + resource + billId); answers the row. On PostgreSQL the row stays
 * locked until the transaction ends, so two saves of one bill run one after the other (its bindings are read after).
 */
export async function upsertBill(db: Kysely<Database>, row: Insertable<BillTable>): Promise<Bill> {
  return db
    .insertInto('bills')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'resource', 'bill_id']).doUpdateSet((eb) => ({
        bill_no: eb.ref('excluded.bill_no'),
        bill_type: eb.ref('excluded.bill_type'),
        bill_tax_no: eb.ref('excluded.bill_tax_no'),
        status: eb.ref('excluded.status'),
        cover_json: eb.ref('excluded.cover_json'),
        business_system_id: eb.ref('excluded.business_system_id'),
        invoice_count: eb.ref('excluded.invoice_count'),
        claimed_fen: eb.ref('excluded.claimed_fen'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteBillRow(db: Kysely<Database>, tenantId: string, pk: string): Promise<void> {
  await db.deleteFrom('bills').where('tenant_id', '=', tenantId).where('id', '=', pk).execute();
}

export async function setBillAlerts(
  db: Kysely<Database>,
  tenantId: string,
  pk: string,
  alertsJson: string | null,
  now: number,
): Promise<void> {
  await db
    .updateTable('bills')
    .set({ alerts_json: alertsJson, updated_at: now })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', pk)
    .execute();
}

/** The bindings of bills, by invoice id. */
export async function findBillInvoices(
  db: Kysely<Database>,
  tenantId: string,
  billPks: readonly string[],
): Promise<BillInvoice[]> {
  if (billPks.length === 0) return [];
  return db
    .selectFrom('bill_invoices')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('bill_pk', 'in', [...billPks])
    .orderBy('received_invoice_id')
    .execute();
}

export async function deleteBillInvoices(db: Kysely<Database>, tenantId: string, billPk: string): Promise<void> {
  await db.deleteFrom('bill_invoices').where('tenant_id', '=', tenantId).where('bill_pk', '=', billPk).execute();
}

export async function insertBillInvoices(db: Kysely<Database>, rows: readonly Insertable<BillInvoiceTable>[]) {
  // SQLite binds at most 32766 parameters: 500 rows × 11 columns fit, chunked anyway.
  for (let i = 0; i < rows.length; i += 200) {
    await db
      .insertInto('bill_invoices')
      .values(rows.slice(i, i + 200))
      .execute();
  }
}

/** Bills binding these invoices, with the amount each claims (the pool's usage and the red/void alerts). */
export async function findBindingsOfInvoices(db: Kysely<Database>, tenantId: string, invoiceIds: readonly string[]) {
  if (invoiceIds.length === 0) return [];
  return db
    .selectFrom('bill_invoices as bi')
    .innerJoin('bills as b', 'b.id', 'bi.bill_pk')
    .select([
      'bi.received_invoice_id',
      'bi.amount_fen',
      'b.id as bill_pk',
      'b.resource',
      'b.bill_id',
      'b.bill_no',
      'b.status',
      'b.alerts_json',
    ])
    .where('bi.tenant_id', '=', tenantId)
    .where('b.tenant_id', '=', tenantId)
    .where('bi.received_invoice_id', 'in', [...invoiceIds])
    .orderBy('b.id')
    .execute();
}

/**
 * Changes one invoice's claim counter by `delta` fen (and its bill count) in ONE statement, refusing when the claims
 * would exceed what may be claimed of the invoice (`totalFen`: its total less what red invoices reversed, which a later
 * verification may lower): insert-if-missing with it, else `claimed_fen + delta <= totalFen` — a release (`delta ≤ 0`)
 * always passes — and the counter's total becomes `totalFen` (kept when null).
 * No row back = refused (nothing written). PostgreSQL's `on conflict do update` re-reads the latest committed row,
 * so concurrent claims from different bills never overshoot.
 */
export async function applyClaimDelta(
  db: Kysely<Database>,
  input: {
    tenantId: string;
    invoiceId: string;
    totalFen: number | null;
    delta: number;
    billDelta: number;
    now: number;
  },
): Promise<{ claimed_fen: number; total_fen: number; bill_count: number } | undefined> {
  if (input.totalFen !== null && input.delta > input.totalFen) return undefined;
  // null: a release that does not know the invoice (deleted): the counter keeps its total.
  const total = input.totalFen === null ? ('invoice_claims.total_fen' as const) : ('excluded.total_fen' as const);
  const row = await db
    .insertInto('invoice_claims')
    .values({
      tenant_id: input.tenantId,
      received_invoice_id: input.invoiceId,
      total_fen: input.totalFen ?? 0,
      claimed_fen: input.delta,
      bill_count: input.billDelta,
      updated_at: input.now,
    })
    .onConflict((oc) =>
      oc
        .columns(['tenant_id', 'received_invoice_id'])
        .doUpdateSet((eb) => ({
          claimed_fen: eb('invoice_claims.claimed_fen', '+', eb.ref('excluded.claimed_fen')),
          bill_count: eb('invoice_claims.bill_count', '+', eb.ref('excluded.bill_count')),
          total_fen: eb.ref(total),
          updated_at: eb.ref('excluded.updated_at'),
        }))
        .where((eb) =>
          eb.or([
            eb('excluded.claimed_fen', '<=', 0),
            eb(eb('invoice_claims.claimed_fen', '+', eb.ref('excluded.claimed_fen')), '<=', eb.ref(total)),
          ]),
        ),
    )
    .returning(['claimed_fen', 'total_fen', 'bill_count'])
    .executeTakeFirst();
  return row
    ? { claimed_fen: Number(row.claimed_fen), total_fen: Number(row.total_fen), bill_count: Number(row.bill_count) }
    : undefined;
}

export async function findClaims(db: Kysely<Database>, tenantId: string, invoiceIds: readonly string[]) {
  if (invoiceIds.length === 0) return [];
  return db
    .selectFrom('invoice_claims')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('received_invoice_id', 'in', [...invoiceIds])
    .execute();
}

export interface BillFilters {
  resource?: string;
  status?: BillStatus;
  billNo?: string;
  /** Bills binding this received invoice. */
  invoiceId?: string;
  /** Only bills with alerts (red/void found after binding). */
  alerted?: boolean;
}

/** The tenant's bills, newest first. */
export async function listBills(
  db: Kysely<Database>,
  tenantId: string,
  f: BillFilters,
  page: { cursor?: string; limit: number },
): Promise<Page<Bill>> {
  let q = db.selectFrom('bills').selectAll().where('tenant_id', '=', tenantId);
  if (f.resource) q = q.where('resource', '=', f.resource);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.billNo) q = q.where('bill_no', '=', f.billNo);
  if (f.alerted !== undefined) q = q.where('alerts_json', f.alerted ? 'is not' : 'is', null);
  if (f.invoiceId) {
    const invoiceId = f.invoiceId;
    q = q.where('id', 'in', (eb) =>
      eb
        .selectFrom('bill_invoices')
        .select('bill_pk')
        .where('tenant_id', '=', tenantId)
        .where('received_invoice_id', '=', invoiceId),
    );
  }
  return fetchPage(q, page);
}
