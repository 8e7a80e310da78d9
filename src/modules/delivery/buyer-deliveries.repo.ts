import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../../platform/db/database.js';
import type { BuyerDelivery } from './delivery.tables.js';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Serializes re-sends of one invoice: on PostgreSQL takes a transaction-scoped advisory lock keyed by the invoice id
 * (SQLite runs one write transaction at a time already), so the rate-limit check and the insert that counts against
 * it are atomic. The lock is delivery's own: it neither reads nor locks the invoicing module's rows.
 */
export async function lockResendsOfInvoice(
  trx: Transaction<Database>,
  dialect: 'sqlite' | 'postgres',
  invoiceId: string,
): Promise<void> {
  if (dialect === 'postgres') {
    await sql`select pg_advisory_xact_lock(hashtextextended(${`delivery/resend:${invoiceId}`}::text, 0))`.execute(trx);
  }
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

/** Manual re-sends of an invoice since `since`, as timestamps of their batches (for the rate limit). */
export async function manualBatchTimes(db: Db, tenantId: string, invoiceId: string, since: number): Promise<number[]> {
  const rows = await db
    .selectFrom('buyer_deliveries')
    .select(['batch_id', (eb) => eb.fn.min<number>('created_at').as('at')])
    .where('tenant_id', '=', tenantId)
    .where('invoice_id', '=', invoiceId)
    .where('trigger', '=', 'manual')
    .where('created_at', '>', since)
    .groupBy('batch_id')
    .execute();
  return rows.map((r) => Number(r.at)).sort((a, b) => a - b);
}

/** Records one send attempt's outcome. */
export async function updateBuyerDelivery(
  db: Db,
  id: string,
  set: Partial<Pick<BuyerDelivery, 'status' | 'transport' | 'message_id' | 'attempts' | 'last_error' | 'sent_at'>>,
): Promise<void> {
  await db.updateTable('buyer_deliveries').set(set).where('id', '=', id).execute();
}
