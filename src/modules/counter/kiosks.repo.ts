import type { Insertable, Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';
import type { Database } from '../../platform/db/database.js';
import type { CounterExtractionCodeTable, CounterKioskTable, Kiosk } from './counter.tables.js';

type Db = Kysely<Database> | Transaction<Database>;

export async function insertKiosk(db: Db, row: Insertable<CounterKioskTable>): Promise<void> {
  await db.insertInto('counter_kiosks').values(row).execute();
}

export async function findKioskById(db: Db, id: string): Promise<Kiosk | undefined> {
  return db.selectFrom('counter_kiosks').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findKioskByTokenHash(db: Db, tokenHash: string): Promise<Kiosk | undefined> {
  return db.selectFrom('counter_kiosks').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

export async function listKiosks(db: Db, tenantId: string, sellerTaxIds: readonly string[] | null) {
  let q = db.selectFrom('counter_kiosks').selectAll().where('tenant_id', '=', tenantId);
  if (sellerTaxIds)
    q = sellerTaxIds.length > 0 ? q.where('seller_tax_id', 'in', sellerTaxIds) : q.where(sql.lit(false));
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(200).execute();
}

export async function revokeKiosk(db: Db, id: string, at: number): Promise<void> {
  await db
    .updateTable('counter_kiosks')
    .set({ revoked_at: at })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .execute();
}

/** Stores (or replaces) the extraction code of an order number: one upsert. */
export async function upsertExtractionCode(db: Db, row: Insertable<CounterExtractionCodeTable>): Promise<void> {
  await db
    .insertInto('counter_extraction_codes')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'order_no']).doUpdateSet({
        code_hash: row.code_hash,
        created_at: row.created_at,
      }),
    )
    .execute();
}

export async function findExtractionCode(db: Db, tenantId: string, orderNo: string) {
  return db
    .selectFrom('counter_extraction_codes')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('order_no', '=', orderNo)
    .executeTakeFirst();
}
