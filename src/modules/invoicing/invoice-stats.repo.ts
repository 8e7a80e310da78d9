import { type ExpressionBuilder, type Kysely, sql } from 'kysely';
import type { Database } from '../../platform/db/database.js';
import type { InvoiceStatus } from './invoice-state-machine.js';

/** Issued invoices of one 票种 and colour in a window: sums in fen (exact integers). */
export interface IssuedInvoiceSums {
  kind: string;
  isRed: boolean;
  count: number;
  amountFen: number;
  taxFen: number;
  totalFen: number;
}

/** Only these sellers (a clerk's orgs); null: every seller of the tenant. */
export type SellerScope = readonly string[] | null;

const CST_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;

/** Invoices issued in [fromMs, toMs), by 票种 and colour (the dashboard's today / this month). */
export async function sumIssuedInvoices(
  db: Kysely<Database>,
  tenantId: string,
  fromMs: number,
  toMs: number,
  sellers: SellerScope = null,
): Promise<IssuedInvoiceSums[]> {
  const rows = await db
    .selectFrom('invoices')
    .select((eb) => [
      'kind',
      'is_red',
      eb.fn.countAll<number | string>().as('n'),
      eb.fn.sum<number | string>('amount_fen').as('amount_fen'),
      eb.fn.sum<number | string>('tax_fen').as('tax_fen'),
      eb.fn.sum<number | string>('total_fen').as('total_fen'),
    ])
    .where('tenant_id', '=', tenantId)
    .where(inScope(sellers))
    .where('issued_at', '>=', fromMs)
    .where('issued_at', '<', toMs)
    .groupBy(['kind', 'is_red'])
    .orderBy('kind')
    .execute();
  return rows.map((r) => ({
    kind: r.kind,
    isRed: Number(r.is_red) === 1,
    count: Number(r.n),
    amountFen: Number(r.amount_fen),
    taxFen: Number(r.tax_fen),
    totalFen: Number(r.total_fen),
  }));
}

/** Per China-time day in [fromMs, toMs): issued count and 价税合计 in fen (blue and red together). */
export async function issuedDailyTotals(
  db: Kysely<Database>,
  tenantId: string,
  fromMs: number,
  toMs: number,
  sellers: SellerScope = null,
): Promise<{ day: number; count: number; totalFen: number }[]> {
  // Whole days since the epoch in China time; integer division in both SQLite and PostgreSQL (bigint).
  const day = sql<number | string>`(issued_at + ${sql.lit(CST_OFFSET_MS)}) / ${sql.lit(DAY_MS)}`;
  const rows = await db
    .selectFrom('invoices')
    .select((eb) => [
      day.as('day'),
      eb.fn.countAll<number | string>().as('n'),
      eb.fn.sum<number | string>('total_fen').as('total_fen'),
    ])
    .where('tenant_id', '=', tenantId)
    .where(inScope(sellers))
    .where('issued_at', '>=', fromMs)
    .where('issued_at', '<', toMs)
    .groupBy(day)
    .execute();
  return rows.map((r) => ({ day: Number(r.day), count: Number(r.n), totalFen: Number(r.total_fen) }));
}

/**
 * How many invoices of the tenant are in each state now (only `statuses` when given: the dashboard counts the few
 * open states from the status index instead of every issued invoice).
 */
export async function countInvoicesByStatus(
  db: Kysely<Database>,
  tenantId: string,
  sellers: SellerScope = null,
  statuses?: readonly InvoiceStatus[],
): Promise<Partial<Record<InvoiceStatus, number>>> {
  let q = db
    .selectFrom('invoices')
    .select((eb) => ['status', eb.fn.countAll<number | string>().as('n')])
    .where('tenant_id', '=', tenantId)
    .where(inScope(sellers));
  if (statuses) q = q.where('status', 'in', statuses);
  const rows = await q.groupBy('status').execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/** Failed requests waiting for a person (开票异常), by failure code. */
export async function countFailedByCode(
  db: Kysely<Database>,
  tenantId: string,
  sellers: SellerScope = null,
): Promise<{ code: string; count: number }[]> {
  const rows = await db
    .selectFrom('invoices')
    .select((eb) => ['failure_code', eb.fn.countAll<number | string>().as('n')])
    .where('tenant_id', '=', tenantId)
    .where(inScope(sellers))
    .where('status', '=', 'failed')
    .groupBy('failure_code')
    .execute();
  return rows
    .map((r) => ({ code: r.failure_code ?? 'UNKNOWN', count: Number(r.n) }))
    .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
}

/** The seller filter of a scoped caller (an empty scope matches nothing). */
function inScope(sellers: SellerScope) {
  return (eb: ExpressionBuilder<Database, 'invoices'>) =>
    sellers === null
      ? sql<boolean>`1 = 1`
      : sellers.length === 0
        ? sql<boolean>`1 = 0`
        : eb('seller_tax_id', 'in', sellers);
}
