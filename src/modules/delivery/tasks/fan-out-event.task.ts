import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/database.js';
import { ctxOf, type Deps } from '../../../platform/deps.js';
import type { DomainEvent } from '../../../platform/events.js';
import { newId } from '../../../platform/ids.js';
import { findEventSubscribers } from '../../orgs/index.js';
import { buildWebhookBody, loadEventSource } from '../event-source.js';
import { insertDelivery } from '../webhooks.repo.js';

/**
 * False when no business system is subscribed to the event, for events that carry their business system code
 * (invoice events do): the event bus then enqueues no fan-out job at all. Runs in the publisher's transaction. A
 * system added or subscribed after the publication does not get the event (as before, one added after the fan-out
 * ran did not). Events without the code may have subscribers: true.
 */
export async function mayHaveWebhookSubscribers(
  deps: Deps,
  db: Kysely<Database>,
  event: DomainEvent,
): Promise<boolean> {
  const carried = event.data?.businessSystemCode;
  if (typeof carried !== 'string' && carried !== null) return true;
  // The publisher's transaction writes no business system: the tenant's cached list may answer.
  const systems = await findEventSubscribers(
    ctxOf(deps, db),
    { tenantId: event.tenantId, eventType: event.type, businessSystemCode: carried },
    deps.db.kysely,
  );
  return systems.length > 0;
}

/**
 * `delivery/fan-out-event`: one webhook delivery (row + `delivery/deliver-webhook` job, keyed
 * `delivery/deliver-webhook:{systemId}:{eventId}`) per enabled business system subscribed to the event, all in one
 * transaction. The body is built once here, so every system and every attempt gets the same bytes.
 */
export async function runFanOutEvent(deps: Deps, event: DomainEvent): Promise<void> {
  const subscribers = (businessSystemCode: string | null) =>
    findEventSubscribers(ctxOf(deps), { tenantId: event.tenantId, eventType: event.type, businessSystemCode });
  // Events that carry their business system code (invoice events do) are checked for subscribers before the
  // payload is built: most tenants have none for most invoices, and the payload costs several queries.
  const carried = event.data?.businessSystemCode;
  if ((typeof carried === 'string' || carried === null) && (await subscribers(carried)).length === 0) return;
  const source = await loadEventSource(deps, event);
  if (!source) return;
  const systems = await subscribers(source.businessSystemCode);
  if (systems.length === 0) return;
  const body = buildWebhookBody(event, source);
  const now = deps.clock.now();
  await deps.db.kysely.transaction().execute(async (trx) => {
    for (const system of systems) {
      const delivery = await insertDelivery(trx, {
        id: newId('whd', now),
        tenant_id: event.tenantId,
        business_system_id: system.id,
        business_system_code: system.code,
        event_id: event.id,
        event_type: event.type,
        subject_id: event.subjectId,
        invoice_serial_no: source.invoiceSerialNo,
        payload: body,
        status: 'pending',
        attempts: 0,
        redeliveries: 0,
        last_status_code: null,
        last_error: null,
        last_attempt_at: null,
        delivered_at: null,
        created_at: now,
        updated_at: now,
      });
      // A delivery that already existed got its job in the transaction that inserted it (a re-run of this task).
      if (!delivery.created) continue;
      await deps.jobs.enqueue(
        trx,
        'delivery/deliver-webhook',
        { deliveryId: delivery.id },
        { tenantId: event.tenantId, key: `${system.id}:${event.id}` },
      );
    }
  });
  deps.jobs.notify();
}
