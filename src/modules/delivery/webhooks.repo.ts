import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../platform/db/database.js';
import { fetchPage } from '../../platform/db/pagination.js';
import { newId } from '../../platform/ids.js';
import type { WebhookAttempt, WebhookDelivery, WebhookDeliveryStatus } from './delivery.tables.js';
import type { WebhookAttemptResult } from './post-webhook.js';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Inserts a delivery unless the system already has one for the event; returns the delivery id either way, and
 * whether this call inserted it.
 */
export async function insertDelivery(db: Db, row: WebhookDelivery): Promise<{ id: string; created: boolean }> {
  const inserted = await db
    .insertInto('webhook_deliveries')
    .values(row)
    .onConflict((oc) => oc.columns(['business_system_id', 'event_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return { id: inserted.id, created: true };
  const existing = await db
    .selectFrom('webhook_deliveries')
    .select('id')
    .where('business_system_id', '=', row.business_system_id)
    .where('event_id', '=', row.event_id)
    .executeTakeFirstOrThrow();
  return { id: existing.id, created: false };
}

/** A delivery by id (any tenant: for the deliver task). */
export async function findDeliveryById(db: Db, id: string): Promise<WebhookDelivery | undefined> {
  return db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
}

/** A delivery of the tenant by id. */
export async function findTenantDelivery(db: Db, tenantId: string, id: string): Promise<WebhookDelivery | undefined> {
  return db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Logs one attempt and moves the delivery to `status`, in one transaction. */
export async function recordAttempt(
  db: Kysely<Database>,
  delivery: WebhookDelivery,
  input: { attemptNo: number; startedAt: number; result: WebhookAttemptResult; status: WebhookDeliveryStatus },
): Promise<void> {
  const { result } = input;
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('webhook_attempts')
      .values({
        id: newId('wha', input.startedAt),
        tenant_id: delivery.tenant_id,
        delivery_id: delivery.id,
        attempt_no: input.attemptNo,
        started_at: input.startedAt,
        duration_ms: result.durationMs,
        address: result.address,
        status_code: result.statusCode,
        response_excerpt: result.excerpt,
        error: result.error,
      })
      .execute();
    await trx
      .updateTable('webhook_deliveries')
      .set((eb) => ({
        // A failed attempt that ends after its job already died (its worker stalled past the lease and the job was
        // swept to dead) must not revive the delivery as `retrying`: no job would ever retry it.
        status: result.ok
          ? input.status
          : eb
              .case()
              .when('status', '=', 'dead')
              .then(eb.val<WebhookDeliveryStatus>('dead'))
              .else(eb.val<WebhookDeliveryStatus>(input.status))
              .end(),
        attempts: input.attemptNo,
        last_status_code: result.statusCode,
        last_error: result.error,
        last_attempt_at: input.startedAt,
        ...(result.ok ? { delivered_at: input.startedAt + result.durationMs } : {}),
        updated_at: input.startedAt + result.durationMs,
      }))
      .where('id', '=', delivery.id)
      .execute();
  });
}

/** Gives up on a delivery without an HTTP attempt (its business system was removed or disabled). */
export async function markDeliveryDead(db: Db, delivery: WebhookDelivery, error: string, now: number): Promise<void> {
  await db
    .updateTable('webhook_deliveries')
    .set({ status: 'dead', last_error: error, updated_at: now })
    .where('id', '=', delivery.id)
    .execute();
}

/**
 * Dead after the job of series `redeliveries` died (e.g. the worker crashed on the last attempt), unless it was
 * delivered meanwhile or a later redelivery (another series, with its own job) took over.
 */
export async function markDeliveryDeadById(
  db: Db,
  deliveryId: string,
  redeliveries: number,
  error: string,
  now: number,
): Promise<void> {
  await db
    .updateTable('webhook_deliveries')
    .set({ status: 'dead', last_error: error, updated_at: now })
    .where('id', '=', deliveryId)
    .where('redeliveries', '=', redeliveries)
    .where('status', 'not in', ['delivered', 'dead'])
    .execute();
}

/** A delivery without its body (lists never load the payloads). */
export type WebhookDeliverySummary = Omit<WebhookDelivery, 'payload'>;

const SUMMARY_COLUMNS = [
  'id',
  'tenant_id',
  'business_system_id',
  'business_system_code',
  'event_id',
  'event_type',
  'subject_id',
  'invoice_serial_no',
  'status',
  'attempts',
  'redeliveries',
  'last_status_code',
  'last_error',
  'last_attempt_at',
  'delivered_at',
  'created_at',
  'updated_at',
] as const satisfies ReadonlyArray<keyof WebhookDeliverySummary>;

/** Filters of GET /api/v1/webhook-deliveries. */
export interface DeliveryFilters {
  status?: WebhookDeliveryStatus;
  eventType?: string;
  businessSystemCode?: string;
  serialNo?: string;
}

/** The tenant's deliveries, newest first, cursor-paginated by id. */
export async function listDeliveries(
  db: Db,
  tenantId: string,
  filters: DeliveryFilters,
  page: { cursor?: string; limit: number },
): Promise<{ items: WebhookDeliverySummary[]; nextCursor: string | null }> {
  let q = db.selectFrom('webhook_deliveries').select(SUMMARY_COLUMNS).where('tenant_id', '=', tenantId);
  if (filters.status) q = q.where('status', '=', filters.status);
  if (filters.eventType) q = q.where('event_type', '=', filters.eventType);
  if (filters.businessSystemCode) q = q.where('business_system_code', '=', filters.businessSystemCode);
  if (filters.serialNo) q = q.where('invoice_serial_no', '=', filters.serialNo);
  return fetchPage(q, page);
}

/** Every attempt of a delivery, oldest first. */
export async function listAttempts(db: Db, deliveryId: string): Promise<WebhookAttempt[]> {
  return db
    .selectFrom('webhook_attempts')
    .selectAll()
    .where('delivery_id', '=', deliveryId)
    .orderBy('attempt_no')
    .orderBy('id')
    .execute();
}

/**
 * Puts a delivery back to `pending` for a redelivery (one more in `redeliveries`) if it is still as `delivery` saw it
 * (same status, same redelivery count): true when this call won.
 */
export async function reopenDeliveryIf(
  db: Db,
  delivery: Pick<WebhookDelivery, 'id' | 'status' | 'redeliveries'>,
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable('webhook_deliveries')
    .set({ status: 'pending', redeliveries: delivery.redeliveries + 1, updated_at: now })
    .where('id', '=', delivery.id)
    .where('status', '=', delivery.status)
    .where('redeliveries', '=', delivery.redeliveries)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
