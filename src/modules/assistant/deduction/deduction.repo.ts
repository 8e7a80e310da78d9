/** The tenant's 抵扣勾选 rows: selections (one per received invoice) and periods. */
import { type Insertable, type Kysely, type Selectable, sql } from 'kysely';
import type { Database } from '../../../platform/db/database.js';
import type { DeductionPeriodTable, DeductionSelectionTable, DeductionStatus } from './deduction.tables.js';

export type DeductionSelection = Selectable<DeductionSelectionTable>;
export type DeductionPeriod = Selectable<DeductionPeriodTable>;

export async function findSelections(
  db: Kysely<Database>,
  tenantId: string,
  ids: readonly string[],
): Promise<DeductionSelection[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('deduction_selections')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('received_invoice_id', 'in', [...ids])
    .execute();
}

/** One page of a buyer's selections in a state (and period), newest invoice id first; cursor = the last id. */
export async function listSelections(
  db: Kysely<Database>,
  tenantId: string,
  f: { buyerTaxId: string; status: DeductionStatus; period: string | null; kind?: string },
  page: { cursor?: string | null; limit: number },
): Promise<{ items: DeductionSelection[]; nextCursor: string | null }> {
  let q = db
    .selectFrom('deduction_selections')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('buyer_tax_id', '=', f.buyerTaxId)
    .where('status', '=', f.status);
  if (f.period !== null) q = q.where('period', '=', f.period);
  if (f.kind) q = q.where('kind', '=', f.kind);
  if (page.cursor) q = q.where('received_invoice_id', '<', page.cursor);
  const rows = await q
    .orderBy('received_invoice_id', 'desc')
    .limit(page.limit + 1)
    .execute();
  const items = rows.slice(0, page.limit);
  return {
    items,
    nextCursor: rows.length > page.limit ? (items[items.length - 1]?.received_invoice_id ?? null) : null,
  };
}

/** Inserts or replaces selections (one statement per 200 rows). */
export async function upsertSelections(
  db: Kysely<Database>,
  rows: readonly Insertable<DeductionSelectionTable>[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) {
    await db
      .insertInto('deduction_selections')
      .values(rows.slice(i, i + 200))
      .onConflict((oc) =>
        oc.columns(['tenant_id', 'received_invoice_id']).doUpdateSet((eb) => ({
          buyer_tax_id: eb.ref('excluded.buyer_tax_id'),
          period: eb.ref('excluded.period'),
          status: eb.ref('excluded.status'),
          kind: eb.ref('excluded.kind'),
          code: eb.ref('excluded.code'),
          number: eb.ref('excluded.number'),
          issue_date: eb.ref('excluded.issue_date'),
          seller_name: eb.ref('excluded.seller_name'),
          seller_tax_id: eb.ref('excluded.seller_tax_id'),
          amount_fen: eb.ref('excluded.amount_fen'),
          full_tax_fen: eb.ref('excluded.full_tax_fen'),
          tax_fen: eb.ref('excluded.tax_fen'),
          tax_basis: eb.ref('excluded.tax_basis'),
          reason: eb.ref('excluded.reason'),
          actor: eb.ref('excluded.actor'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  }
}

/** Deletes the given selections that are in `status` (and `period`); returns how many went. */
export async function deleteSelections(
  db: Kysely<Database>,
  tenantId: string,
  ids: readonly string[],
  where: { status: DeductionStatus; period?: string },
): Promise<number> {
  if (ids.length === 0) return 0;
  let q = db
    .deleteFrom('deduction_selections')
    .where('tenant_id', '=', tenantId)
    .where('received_invoice_id', 'in', [...ids])
    .where('status', '=', where.status);
  if (where.period !== undefined) q = q.where('period', '=', where.period);
  const result = await q.executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function findPeriod(
  db: Kysely<Database>,
  tenantId: string,
  buyerTaxId: string,
  period: string,
): Promise<DeductionPeriod | undefined> {
  return db
    .selectFrom('deduction_periods')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('buyer_tax_id', '=', buyerTaxId)
    .where('period', '=', period)
    .executeTakeFirst();
}

/**
 * Marks a period confirmed and its selections confirmed. Returns false (nothing written) when the period already
 * was confirmed: the upsert's condition decides, in its one statement.
 */
export async function confirmPeriod(
  db: Kysely<Database>,
  row: { tenantId: string; buyerTaxId: string; period: string; actor: string; count: number; taxFen: number },
  now: number,
): Promise<boolean> {
  const written = await db
    .insertInto('deduction_periods')
    .values({
      tenant_id: row.tenantId,
      buyer_tax_id: row.buyerTaxId,
      period: row.period,
      state: 'confirmed',
      confirmed_by: row.actor,
      confirmed_at: now,
      count: row.count,
      tax_fen: row.taxFen,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc
        .columns(['tenant_id', 'buyer_tax_id', 'period'])
        .doUpdateSet((eb) => ({
          state: eb.ref('excluded.state'),
          confirmed_by: eb.ref('excluded.confirmed_by'),
          confirmed_at: eb.ref('excluded.confirmed_at'),
          count: eb.ref('excluded.count'),
          tax_fen: eb.ref('excluded.tax_fen'),
          updated_at: eb.ref('excluded.updated_at'),
        }))
        .where('deduction_periods.state', '<>', 'confirmed'),
    )
    .returning('period')
    .executeTakeFirst();
  if (!written) return false;
  await db
    .updateTable('deduction_selections')
    .set({ status: 'confirmed', updated_at: now })
    .where('tenant_id', '=', row.tenantId)
    .where('buyer_tax_id', '=', row.buyerTaxId)
    .where('period', '=', row.period)
    .where('status', '=', 'selected')
    .execute();
  return true;
}

export interface KindSum {
  kind: string;
  count: number;
  amountFen: number;
  taxFen: number;
}

/** Count, amount and effective tax by kind of a buyer's selections in these states (and period). */
export async function sumSelectionsByKind(
  db: Kysely<Database>,
  tenantId: string,
  f: { buyerTaxId: string; statuses: readonly DeductionStatus[]; period: string | null },
): Promise<KindSum[]> {
  let q = db
    .selectFrom('deduction_selections')
    .select((eb) => [
      'kind',
      eb.fn.countAll<number | string | bigint>().as('n'),
      eb.fn.coalesce(eb.fn.sum<number | string | bigint>('amount_fen'), sql<number>`0`).as('amount'),
      eb.fn.coalesce(eb.fn.sum<number | string | bigint>('tax_fen'), sql<number>`0`).as('tax'),
    ])
    .where('tenant_id', '=', tenantId)
    .where('buyer_tax_id', '=', f.buyerTaxId)
    .where('status', 'in', [...f.statuses]);
  if (f.period !== null) q = q.where('period', '=', f.period);
  const rows = await q.groupBy('kind').orderBy('kind').execute();
  return rows.map((r) => ({ kind: r.kind, count: Number(r.n), amountFen: Number(r.amount), taxFen: Number(r.tax) }));
}

/** One keyset page of a period's selected and confirmed rows for the export, by invoice id. */
export async function exportSelectionsPage(
  db: Kysely<Database>,
  tenantId: string,
  buyerTaxId: string,
  period: string,
  after: string | null,
  limit: number,
): Promise<DeductionSelection[]> {
  let q = db
    .selectFrom('deduction_selections')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('buyer_tax_id', '=', buyerTaxId)
    .where('period', '=', period)
    .where('status', 'in', ['selected', 'confirmed']);
  if (after !== null) q = q.where('received_invoice_id', '>', after);
  return q.orderBy('received_invoice_id').limit(limit).execute();
}
