import { type Kysely, sql } from 'kysely';
import type { Database } from '../../platform/db/database.js';
import type { OrderStatus } from './scan.tables.js';

/** How many scan orders of the tenant are in each state at `now` (an open order past its expiry counts as expired). */
export async function countOrdersByStatus(
  db: Kysely<Database>,
  tenantId: string,
  now: number,
  /** Only these sellers (a clerk's orgs); null: all. */
  sellers: readonly string[] | null = null,
): Promise<Partial<Record<OrderStatus, number>>> {
  const rows = await db
    .selectFrom('scan_orders')
    .select((eb) => ['status', eb.fn.countAll<number | string>().as('n')])
    .where('tenant_id', '=', tenantId)
    .where((eb) =>
      sellers === null
        ? sql<boolean>`1 = 1`
        : sellers.length === 0
          ? sql<boolean>`1 = 0`
          : eb('seller_tax_id', 'in', sellers),
    )
    .groupBy('status')
    .execute();
  const expired = await db
    .selectFrom('scan_orders')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where((eb) =>
      sellers === null
        ? sql<boolean>`1 = 1`
        : sellers.length === 0
          ? sql<boolean>`1 = 0`
          : eb('seller_tax_id', 'in', sellers),
    )
    .where('status', '=', 'open')
    .where('expires_at', '<=', now)
    .executeTakeFirst();
  const counts: Partial<Record<OrderStatus, number>> = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  const n = Number(expired?.n ?? 0);
  if (n > 0) {
    counts.expired = n;
    counts.open = (counts.open ?? 0) - n;
  }
  return counts;
}
