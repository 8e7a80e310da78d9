import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../../platform/db/database.js';
import type { BuyerDelivery } from './delivery.tables.js';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Charges one manual re-send of an invoice against its limit — `limit` re-sends whose start is after `since` — in ONE
 * statement (docs/architecture.md "No lock across a round trip"): a conditional upsert of the invoice's counter row,
 * which keeps the start times inside the window plus `now`. No row back = refused, nothing written. Concurrent charges
 * never overshoot: PostgreSQL's `on conflict do update` re-checks the latest committed row, and SQLite writes one
 * transaction at a time. Take it last in the transaction that inserts the re-send (only the COMMIT follows).
 */
export async function chargeResend(
  db: Db,
  dialect: 'sqlite' | 'postgres',
  input: { tenantId: string; invoiceId: string; now: number; since: number; limit: number },
): Promise<boolean> {
  const { tenantId, invoiceId, now, since, limit } = input;
  const first = JSON.stringify([now]);
  const result =
    dialect === 'postgres'
      ? await sql`insert into delivery_resend_counters as c (tenant_id, invoice_id, times, updated_at)
          values (${tenantId}, ${invoiceId}, ${first}, ${now})
          on conflict (tenant_id, invoice_id) do update set
            times = (select json_agg(s.v order by s.v)::text from (
              select e.v::bigint as v from json_array_elements_text(c.times::json) as e(v) where e.v::bigint > ${since}
              union all select ${now}::bigint) as s),
            updated_at = ${now}
          where (select count(*) from json_array_elements_text(c.times::json) as e(v)
                 where e.v::bigint > ${since}) < ${limit}
          returning tenant_id`.execute(db)
      : await sql`insert into delivery_resend_counters (tenant_id, invoice_id, times, updated_at)
          values (${tenantId}, ${invoiceId}, ${first}, ${now})
          on conflict (tenant_id, invoice_id) do update set
            times = (select json_group_array(v) from (
              select value as v from json_each(delivery_resend_counters.times) where value > ${since}
              union all select ${now} order by 1)),
            updated_at = ${now}
          where (select count(*) from json_each(delivery_resend_counters.times) where value > ${since}) < ${limit}
          returning tenant_id`.execute(db);
  return result.rows.length === 1;
}

/** The start times (epoch ms) of an invoice's manual re-sends after `since`, oldest first (for Retry-After). */
export async function resendTimes(db: Db, tenantId: string, invoiceId: string, since: number): Promise<number[]> {
  const row = await db
    .selectFrom('delivery_resend_counters')
    .select('times')
    .where('tenant_id', '=', tenantId)
    .where('invoice_id', '=', invoiceId)
    .executeTakeFirst();
  const times = row ? (JSON.parse(row.times) as unknown[]) : [];
  return times
    .map(Number)
    .filter((t) => Number.isFinite(t) && t > since)
    .sort((a, b) => a - b);
}

/** Inserts a buyer delivery (pending). */
export async function insertBuyerDelivery(db: Db, row: BuyerDelivery): Promise<void> {
  await db.insertInto('buyer_deliveries').values(row).execute();
}

/** A buyer delivery by id (any tenant: for the send tasks). */
export async function findBuyerDeliveryById(db: Db, id: string): Promise<BuyerDelivery | undefined> {
  return db.selectFrom('buyer_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Deliveries of an invoice, oldest first. */
export async function listBuyerDeliveries(db: Db, tenantId: string, invoiceId: string): Promise<BuyerDelivery[]> {
  return db
    .selectFrom('buyer_deliveries')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('invoice_id', '=', invoiceId)
    .orderBy('id')
    .execute();
}

/** True when a batch (e.g. one issue event) already created its deliveries: a retried fan-out adds none. */
export async function hasBatch(db: Db, tenantId: string, batchId: string): Promise<boolean> {
  const row = await db
    .selectFrom('buyer_deliveries')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('batch_id', '=', batchId)
    .executeTakeFirst();
  return row !== undefined;
}

/** Records one send attempt's outcome. */
export async function updateBuyerDelivery(
  db: Db,
  id: string,
  set: Partial<Pick<BuyerDelivery, 'status' | 'transport' | 'message_id' | 'attempts' | 'last_error' | 'sent_at'>>,
): Promise<void> {
  await db.updateTable('buyer_deliveries').set(set).where('id', '=', id).execute();
}
