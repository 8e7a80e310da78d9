import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/database.js';

/** Which seller-month a quota row is. */
export interface QuotaKey {
  readonly tenantId: string;
  readonly sellerTaxId: string;
  /** YYYY-MM, China time. */
  readonly month: string;
}

export async function ensureQuotaRow(db: Kysely<Database>, key: QuotaKey, now: number): Promise<void> {
  await db
    .insertInto('sandbox_quotas')
    .values({
      tenant_id: key.tenantId,
      seller_tax_id: key.sellerTaxId,
      month: key.month,
      total_fen: null,
      used_fen: 0,
      updated_at: now,
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'seller_tax_id', 'month']).doNothing())
    .execute();
}

/** Adds `deltaFen` to the usage; `update … returning` locks the row until the transaction ends. */
export async function addQuotaUsage(db: Kysely<Database>, key: QuotaKey, deltaFen: number, now: number) {
  return db
    .updateTable('sandbox_quotas')
    .set((eb) => ({ used_fen: eb('used_fen', '+', deltaFen), updated_at: now }))
    .where('tenant_id', '=', key.tenantId)
    .where('seller_tax_id', '=', key.sellerTaxId)
    .where('month', '=', key.month)
    .returning(['used_fen', 'total_fen'])
    .executeTakeFirstOrThrow();
}

export async function resetQuotaUsage(db: Kysely<Database>, key: QuotaKey): Promise<void> {
  await db
    .updateTable('sandbox_quotas')
    .set({ used_fen: 0 })
    .where('tenant_id', '=', key.tenantId)
    .where('seller_tax_id', '=', key.sellerTaxId)
    .where('month', '=', key.month)
    .execute();
}

export async function findQuotaRow(db: Kysely<Database>, key: QuotaKey) {
  return db
    .selectFrom('sandbox_quotas')
    .select(['used_fen', 'total_fen'])
    .where('tenant_id', '=', key.tenantId)
    .where('seller_tax_id', '=', key.sellerTaxId)
    .where('month', '=', key.month)
    .executeTakeFirst();
}

export async function updateQuotaTotal(db: Kysely<Database>, key: QuotaKey, totalFen: number, now: number) {
  await db
    .updateTable('sandbox_quotas')
    .set({ total_fen: totalFen, updated_at: now })
    .where('tenant_id', '=', key.tenantId)
    .where('seller_tax_id', '=', key.sellerTaxId)
    .where('month', '=', key.month)
    .execute();
}
