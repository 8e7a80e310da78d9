import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../platform/db/database.js';
import type { Deps } from '../../platform/deps.js';
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

/**
 * Publishes an order event in the transaction that changed the order; each event happens once per order (the key),
 * so a retried transition publishes nothing new.
 */
export async function publishOrderEvent(
  deps: Deps,
  trx: Kysely<Database> | Transaction<Database>,
  type: OrderEvent,
  order: Pick<ScanOrder, 'id' | 'tenant_id' | 'order_no' | 'buyer_json'>,
  extra: { businessSystemCode: string | null; invoices?: OrderEventInvoice[] },
): Promise<void> {
  const buyer = order.buyer_json ? orderTitleJson.decode(order.buyer_json) : null;
  await deps.events.publish(trx, {
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
  });
}
