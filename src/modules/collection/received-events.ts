import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/database.js';
import type { Deps } from '../../platform/deps.js';
import type { DomainEvent } from '../../platform/events.js';
import type { ReceivedInvoice } from './collection.tables.js';
import { findReceivedInvoice } from './received.repo.js';
import { toReceivedInvoiceViews } from './received-view.js';

/**
 * Public events of the received-invoice pool (webhooks carry these names; docs/collection.md#events):
 * `received.created` once per item after intake, `received.verified` after each verification result,
 * `received.changed` when a later verification finds the invoice red-reversed, void or otherwise changed, or when a
 * picture that waited for OCR is read again and its item's empty fields are filled (`filled`).
 */
export const RECEIVED_EVENTS = ['received.created', 'received.verified', 'received.changed'] as const;
export type ReceivedEvent = (typeof RECEIVED_EVENTS)[number];

/**
 * Publishes a received-invoice event in the transaction that made the change. `key` names the occurrence: created
 * happens once per item (default key), verified/changed once per verification (the caller passes e.g. the history
 * entry's id).
 */
export async function publishReceivedEvent(
  deps: Pick<Deps, 'events'>,
  trx: Kysely<Database>,
  type: ReceivedEvent,
  item: Pick<ReceivedInvoice, 'id' | 'tenant_id' | 'kind' | 'code' | 'number' | 'verification_status' | 'source'>,
  options: { key?: string; data?: Record<string, unknown> } = {},
): Promise<void> {
  await deps.events.publish(trx, {
    type,
    tenantId: item.tenant_id,
    subjectId: item.id,
    key: `${type}:${item.id}${options.key ? `:${options.key}` : ''}`,
    data: {
      // No business system owns a received invoice: every system subscribed to the event type gets it.
      businessSystemCode: null,
      receivedId: item.id,
      kind: item.kind,
      code: item.code,
      number: item.number,
      source: item.source,
      verificationStatus: item.verification_status,
      ...options.data,
    },
  });
}

/**
 * The webhook payload of a received-invoice event (registered with delivery for the `received.` family): the item as
 * GET /api/v1/received-invoices/{id} shows it, plus the event's own data; null once the item is deleted.
 */
export async function loadReceivedEventSource(
  deps: Deps,
  event: DomainEvent,
): Promise<{
  businessSystemCode: string | null;
  invoiceSerialNo: string | null;
  data: Record<string, unknown>;
} | null> {
  const db = deps.db.kysely;
  const item = await findReceivedInvoice(db, event.tenantId, event.subjectId);
  if (!item) return null;
  const [view] = await toReceivedInvoiceViews(db, event.tenantId, [item]);
  const extra: Record<string, unknown> = {};
  for (const key of ['previousStatus', 'message', 'filled'] as const) {
    if (event.data?.[key] !== undefined) extra[key] = event.data[key];
  }
  return { businessSystemCode: null, invoiceSerialNo: null, data: { ...view, ...extra } };
}
