import { type Kysely, type RawBuilder, sql } from 'kysely';
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

/**
 * One statement that charges `deltaFen` (≥ 0) to a seller-month only when it fits: creates the row (when the charge
 * fits the default quota) or adds to it where `used + delta ≤ total` (the row's total, else the default). Returns
 * the row after the charge, or nothing when it does not fit — then nothing was written. The conflict arm reads the
 * latest committed row (PostgreSQL `on conflict do update` waits for a concurrent charge), so concurrent charges never
 * overshoot. `guard` is an extra condition (the one-statement issue's "not issued yet", issue.repo.ts).
 */
export function chargeQuotaSql(
  key: QuotaKey,
  deltaFen: number,
  defaultTotalFen: number,
  now: number,
  guard: RawBuilder<unknown> = sql`1 = 1`,
): RawBuilder<{ used_fen: number; total_fen: number | null }> {
  const delta = sql`cast(${deltaFen} as bigint)`;
  const fallback = sql`cast(${defaultTotalFen} as bigint)`;
  return sql`insert into sandbox_quotas as q (tenant_id, seller_tax_id, month, total_fen, used_fen, updated_at)
    select cast(${key.tenantId} as text), cast(${key.sellerTaxId} as text), cast(${key.month} as text),
      cast(null as bigint), ${delta}, cast(${now} as bigint)
    where (${guard}) and (${delta} <= ${fallback} or exists (select 1 from sandbox_quotas
      where tenant_id = ${key.tenantId} and seller_tax_id = ${key.sellerTaxId} and month = ${key.month}))
    on conflict (tenant_id, seller_tax_id, month) do update
      set used_fen = q.used_fen + excluded.used_fen, updated_at = excluded.updated_at
      where q.used_fen + excluded.used_fen <= coalesce(q.total_fen, ${fallback})
    returning used_fen, total_fen`;
}

/** Runs {@link chargeQuotaSql}; undefined when the charge does not fit (nothing written). */
export async function chargeQuota(
  db: Kysely<Database>,
  key: QuotaKey,
  deltaFen: number,
  defaultTotalFen: number,
  now: number,
): Promise<{ used_fen: number; total_fen: number | null } | undefined> {
  const result = await chargeQuotaSql(key, deltaFen, defaultTotalFen, now).execute(db);
  return result.rows[0];
}

/**
 * One statement that gives `deltaFen` (< 0, a red invoice) back to a seller-month, never below zero: creates the row
 * at 0 or subtracts. `guard` as in {@link chargeQuotaSql}.
 */
export function restoreQuotaSql(
  key: QuotaKey,
  deltaFen: number,
  now: number,
  guard: RawBuilder<unknown> = sql`1 = 1`,
): RawBuilder<{ used_fen: number }> {
  const delta = sql`cast(${deltaFen} as bigint)`;
  return sql`insert into sandbox_quotas as q (tenant_id, seller_tax_id, month, total_fen, used_fen, updated_at)
    select cast(${key.tenantId} as text), cast(${key.sellerTaxId} as text), cast(${key.month} as text),
      cast(null as bigint), cast(0 as bigint), cast(${now} as bigint)
    where ${guard}
    on conflict (tenant_id, seller_tax_id, month) do update
      set used_fen = case when q.used_fen + ${delta} < 0 then 0 else q.used_fen + ${delta} end,
        updated_at = excluded.updated_at
    returning used_fen`;
}

export async function restoreQuota(db: Kysely<Database>, key: QuotaKey, deltaFen: number, now: number) {
  await restoreQuotaSql(key, deltaFen, now).execute(db);
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
