import type { Kysely, RawBuilder, Transaction } from 'kysely';
import type { Database } from '../../platform/db/database.js';
import type { Deps } from '../../platform/deps.js';
import type { EventInput } from '../../platform/events.js';
import type { ScanOrder } from './scan.tables.js';
import { orderTitleJson } from './stored-json.js';

/** Public order events (按单): webhooks carry these names (docs/scan.md, docs/webhooks.md). */
export const ORDER_EVENTS = ['order.submitted', 'order.invoiced', 'order.withdrawn'] as const;
export type OrderEvent = (typeof ORDER_EVENTS)[number];

export interface OrderEventInvoice {
  serialNo: string;
  number: string | null;
  status: string;
  total: string | null;
}

type EventOrder = Pick<ScanOrder, 'id' | 'tenant_id' | 'order_no' | 'buyer_json'>;
interface EventExtra {
  businessSystemCode: string | null;
  invoices?: OrderEventInvoice[];
}

/** The event as published: each event happens once per order (the key). */
function orderEventInput(type: OrderEvent, order: EventOrder, extra: EventExtra): EventInput {
  const buyer = order.buyer_json ? orderTitleJson.decode(order.buyer_json) : null;
  return {
    type,
    tenantId: order.tenant_id,
    subjectId: order.id,
    key: `${type}:${order.id}`,
    data: {
      orderNo: order.order_no,
      businessSystemCode: extra.businessSystemCode,
      ...(buyer ? { buyer: { name: buyer.name, taxId: buyer.taxId ?? null, kind: buyer.kind } } : {}),
      ...(extra.invoices ? { invoices: extra.invoices } : {}),
    },
  };
}

/**
 * Publishes an order event in the transaction that changed the order; each event happens once per order (the key),
 * so a retried transition publishes nothing new.
 */
export async function publishOrderEvent(
  deps: Deps,
  trx: Kysely<Database> | Transaction<Database>,
  type: OrderEvent,
  order: EventOrder,
  extra: EventExtra,
): Promise<void> {
  await deps.events.publish(trx, orderEventInput(type, order, extra));
}

/**
 * PostgreSQL: the event's subscriber jobs as CTE bodies of the statement that writes the order (CTE `after`), see
 * `EventBus.publishAfter`.
 */
export async function publishOrderEventAfter(
  deps: Deps,
  after: string,
  type: OrderEvent,
  order: EventOrder,
  extra: EventExtra,
): Promise<RawBuilder<{ id: string }>[]> {
  return (await deps.events.publishAfter(deps.db.kysely, after, orderEventInput(type, order, extra))).jobs;
}
