/**
 * The simulated platform's 抵扣勾选 ledger: one row per invoice, whoever selected it; a confirmed period per buyer.
 * Every write is one conditional statement (docs/architecture.md#no-lock-across-a-round-trip): a refusal writes
 * nothing, and the caller reads afterwards why.
 */
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../../platform/db/database.js';

export interface SelectRow {
  readonly key: string;
  readonly kind: string;
  readonly code: string;
  readonly number: string;
  readonly buyerTaxId: string;
  readonly period: string;
  readonly tenantId: string;
  readonly ref: string;
  readonly actor: string;
  readonly taxFen: number;
}

/**
 * Selects one invoice in one statement: inserts its row when nobody holds it and the period is not confirmed, or
 * updates the tax when the same tenant's same item already holds it in this open period. Returns the row's
 * revision (0 = newly selected), or undefined when refused (nothing written).
 */
export async function selectDeduction(
  db: Kysely<Database>,
  row: SelectRow,
  now: number,
): Promise<{ revision: number } | undefined> {
  const result = await sql<{ revision: number | string }>`insert into sandbox_deductions as d
      (invoice_key, kind, code, number, buyer_tax_id, period, tenant_id, ref, actor, tax_fen, revision, selected_at, updated_at)
    select cast(${row.key} as text), cast(${row.kind} as text), cast(${row.code} as text), cast(${row.number} as text),
      cast(${row.buyerTaxId} as text), cast(${row.period} as text), cast(${row.tenantId} as text),
      cast(${row.ref} as text), cast(${row.actor} as text), cast(${row.taxFen} as bigint), 0,
      cast(${now} as bigint), cast(${now} as bigint)
    where not exists (select 1 from sandbox_deduction_periods p
      where p.buyer_tax_id = ${row.buyerTaxId} and p.period = ${row.period})
    on conflict (invoice_key) do update
      set tax_fen = excluded.tax_fen, actor = excluded.actor, revision = d.revision + 1, updated_at = excluded.updated_at
      where d.tenant_id = excluded.tenant_id and d.ref = excluded.ref and d.buyer_tax_id = excluded.buyer_tax_id
        and d.period = excluded.period
    returning revision`.execute(db);
  const first = result.rows[0];
  return first ? { revision: Number(first.revision) } : undefined;
}

/** Unselects one invoice of this tenant's item, buyer and open period, in one statement; false = nothing deleted. */
export async function unselectDeduction(
  db: Kysely<Database>,
  key: { key: string; tenantId: string; ref: string; buyerTaxId: string; period: string },
): Promise<boolean> {
  const result = await db
    .deleteFrom('sandbox_deductions')
    .where('invoice_key', '=', key.key)
    .where('tenant_id', '=', key.tenantId)
    .where('ref', '=', key.ref)
    .where('buyer_tax_id', '=', key.buyerTaxId)
    .where('period', '=', key.period)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('sandbox_deduction_periods as p')
            .select(sql`1`.as('one'))
            .where('p.buyer_tax_id', '=', key.buyerTaxId)
            .where('p.period', '=', key.period),
        ),
      ),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Confirms (locks) a buyer's period; a second confirmation changes nothing. */
export async function confirmDeductionPeriod(
  db: Kysely<Database>,
  row: { buyerTaxId: string; period: string; tenantId: string; actor: string },
  now: number,
): Promise<void> {
  await db
    .insertInto('sandbox_deduction_periods')
    .values({
      buyer_tax_id: row.buyerTaxId,
      period: row.period,
      tenant_id: row.tenantId,
      actor: row.actor,
      confirmed_at: now,
    })
    .onConflict((oc) => oc.columns(['buyer_tax_id', 'period']).doNothing())
    .execute();
}

/** The confirmation of a buyer's period, if any. */
export async function findDeductionPeriod(db: Kysely<Database>, buyerTaxId: string, period: string) {
  return db
    .selectFrom('sandbox_deduction_periods')
    .selectAll()
    .where('buyer_tax_id', '=', buyerTaxId)
    .where('period', '=', period)
    .executeTakeFirst();
}

/** Count and tax of a buyer's period. */
export async function sumDeductionPeriod(
  db: Kysely<Database>,
  buyerTaxId: string,
  period: string,
): Promise<{ count: number; taxFen: number }> {
  const row = await db
    .selectFrom('sandbox_deductions')
    .select((eb) => [
      eb.fn.countAll<number | string | bigint>().as('n'),
      eb.fn.coalesce(eb.fn.sum<number | string | bigint>('tax_fen'), sql<number>`0`).as('tax'),
    ])
    .where('buyer_tax_id', '=', buyerTaxId)
    .where('period', '=', period)
    .executeTakeFirstOrThrow();
  return { count: Number(row.n), taxFen: Number(row.tax) };
}

/** The ledger rows of these invoices (by key), with their period's confirmation. */
export async function findDeductionHoldings(db: Kysely<Database>, keys: readonly string[]) {
  if (keys.length === 0) return [];
  return db
    .selectFrom('sandbox_deductions as d')
    .leftJoin('sandbox_deduction_periods as p', (j) =>
      j.onRef('p.buyer_tax_id', '=', 'd.buyer_tax_id').onRef('p.period', '=', 'd.period'),
    )
    .select([
      'd.invoice_key',
      'd.kind',
      'd.code',
      'd.number',
      'd.buyer_tax_id',
      'd.period',
      'd.tenant_id',
      'd.ref',
      'p.confirmed_at',
    ])
    .where('d.invoice_key', 'in', [...keys])
    .execute();
}
