import type { Insertable, Kysely } from 'kysely';
import type { DbDialect } from '../../../platform/db/create-db.js';
import type { Database } from '../../../platform/db/database.js';
import { fetchPage, type Page } from '../../../platform/db/pagination.js';
import type { Voucher, VoucherInvoiceTable, VoucherTable } from '../assistant.tables.js';

/** A voucher by its key; with `lock` (the dialect) its row stays locked to the end of the transaction on PostgreSQL. */
export async function findVoucher(
  db: Kysely<Database>,
  tenantId: string,
  resource: string,
  vouchId: string,
  lock?: DbDialect,
): Promise<Voucher | undefined> {
  const q = db
    .selectFrom('vouchers')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('resource', '=', resource)
    .where('vouch_id', '=', vouchId);
  return (lock === 'postgres' ? q.forUpdate() : q).executeTakeFirst();
}

/** Inserts or updates the voucher (tenant + resource + vouchId); on PostgreSQL its row stays locked until the end. */
export async function upsertVoucher(db: Kysely<Database>, row: Insertable<VoucherTable>): Promise<Voucher> {
  return db
    .insertInto('vouchers')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'resource', 'vouch_id']).doUpdateSet((eb) => ({
        vouch_no: eb.ref('excluded.vouch_no'),
        account_date: eb.ref('excluded.account_date'),
        account_time: eb.ref('excluded.account_time'),
        business_date: eb.ref('excluded.business_date'),
        business_system_id: eb.ref('excluded.business_system_id'),
        invoice_count: eb.ref('excluded.invoice_count'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteVoucherRow(db: Kysely<Database>, tenantId: string, pk: string): Promise<void> {
  await db.deleteFrom('vouchers').where('tenant_id', '=', tenantId).where('id', '=', pk).execute();
}

export async function findVoucherInvoices(db: Kysely<Database>, tenantId: string, voucherPk: string) {
  return db
    .selectFrom('voucher_invoices')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('voucher_pk', '=', voucherPk)
    .orderBy('received_invoice_id')
    .execute();
}

export async function deleteVoucherInvoices(
  db: Kysely<Database>,
  tenantId: string,
  voucherPk: string,
  invoiceIds: readonly string[],
): Promise<void> {
  if (invoiceIds.length === 0) return;
  await db
    .deleteFrom('voucher_invoices')
    .where('tenant_id', '=', tenantId)
    .where('voucher_pk', '=', voucherPk)
    .where('received_invoice_id', 'in', [...invoiceIds])
    .execute();
}

/**
 * Books invoices to a voucher; an invoice another voucher books already is skipped (the primary key is tenant +
 * invoice). Answers the ids booked here, so the caller refuses when some are missing.
 */
export async function insertVoucherInvoices(
  db: Kysely<Database>,
  rows: readonly Insertable<VoucherInvoiceTable>[],
): Promise<string[]> {
  const booked: string[] = [];
  for (let i = 0; i < rows.length; i += 200) {
    const out = await db
      .insertInto('voucher_invoices')
      .values(rows.slice(i, i + 200))
      .onConflict((oc) => oc.columns(['tenant_id', 'received_invoice_id']).doNothing())
      .returning('received_invoice_id')
      .execute();
    booked.push(...out.map((r) => r.received_invoice_id));
  }
  return booked;
}

/** Which vouchers book these invoices. */
export async function findBookings(db: Kysely<Database>, tenantId: string, invoiceIds: readonly string[]) {
  if (invoiceIds.length === 0) return [];
  return db
    .selectFrom('voucher_invoices as vi')
    .innerJoin('vouchers as v', 'v.id', 'vi.voucher_pk')
    .select(['vi.received_invoice_id', 'vi.bill_pk', 'v.id as voucher_pk', 'v.resource', 'v.vouch_id', 'v.vouch_no'])
    .where('vi.tenant_id', '=', tenantId)
    .where('v.tenant_id', '=', tenantId)
    .where('vi.received_invoice_id', 'in', [...invoiceIds])
    .execute();
}

export interface VoucherFilters {
  resource?: string;
  vouchNo?: string;
  accountDate?: string;
  invoiceId?: string;
}

export async function listVouchers(
  db: Kysely<Database>,
  tenantId: string,
  f: VoucherFilters,
  page: { cursor?: string; limit: number },
): Promise<Page<Voucher>> {
  let q = db.selectFrom('vouchers').selectAll().where('tenant_id', '=', tenantId);
  if (f.resource) q = q.where('resource', '=', f.resource);
  if (f.vouchNo) q = q.where('vouch_no', '=', f.vouchNo);
  if (f.accountDate) q = q.where('account_date', '=', f.accountDate);
  if (f.invoiceId) {
    const invoiceId = f.invoiceId;
    q = q.where('id', 'in', (eb) =>
      eb
        .selectFrom('voucher_invoices')
        .select('voucher_pk')
        .where('tenant_id', '=', tenantId)
        .where('received_invoice_id', '=', invoiceId),
    );
  }
  return fetchPage(q, page);
}
