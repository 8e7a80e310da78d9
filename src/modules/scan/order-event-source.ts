import type { Deps } from '../../platform/deps.js';
import type { DomainEvent } from '../../platform/events.js';
import { webhookBodyJson } from '../delivery/index.js';
import { orderLinks, toOrderView } from './order-view.js';
import { findOrderById } from './orders.repo.js';
import { findSettingById } from './settings.service.js';

/**
 * What `webhook_deliveries.payload` holds in place of the order's `/s/{token}` link: the token is a bearer secret,
 * kept only as a hash and an encrypted copy on the order (docs/scan.md). {@link resolveOrderWebhookBody} puts the
 * link back when the webhook is sent.
 */
const ORDER_LINK_REF = '{order-link}';

/** The link fields of an order view and what follows the link in each. */
const LINK_FIELDS = [
  ['url', ''],
  ['qrPngUrl', '/qr.png'],
  ['qrSvgUrl', '/qr.svg'],
] as const;

/**
 * The webhook payload of an order event (按单): the order as GET /api/v1/scan/orders/{orderNo} shows it (buyer
 * title, every invoice of the order), and who owns it, with its link as {@link ORDER_LINK_REF}. Shaped like
 * delivery's `EventSource` so the fan-out can register it for the `order.` family; null when the order no longer
 * exists.
 */
export async function loadOrderEventSource(
  deps: Deps,
  event: DomainEvent,
): Promise<{
  businessSystemCode: string | null;
  invoiceSerialNo: string | null;
  data: Record<string, unknown>;
} | null> {
  const order = await findOrderById(deps.db.kysely, event.subjectId);
  if (!order || order.tenant_id !== event.tenantId) return null;
  const setting = await findSettingById(deps, order.setting_id);
  if (!setting) return null;
  const view: Record<string, unknown> = await toOrderView(deps, order, setting);
  // Same keys in the same places: the body sent after resolving is the body the view would give.
  for (const [field, suffix] of LINK_FIELDS) {
    if (typeof view[field] === 'string') view[field] = `${ORDER_LINK_REF}${suffix}`;
  }
  return { businessSystemCode: setting.business_system_code, invoiceSerialNo: order.invoice_serial_no, data: view };
}

/**
 * The body of an order webhook as sent: {@link ORDER_LINK_REF} in `data.url`, `data.qrPngUrl` and `data.qrSvgUrl`
 * replaced by the order's link, built from its encrypted token (null when the order or its token is gone). Other
 * fields, and bodies stored before links were kept as references, are returned as they are.
 */
export async function resolveOrderWebhookBody(
  deps: Deps,
  delivery: { tenantId: string; subjectId: string; payload: string },
): Promise<string> {
  if (!delivery.payload.includes(ORDER_LINK_REF)) return delivery.payload;
  const body = webhookBodyJson.decode(delivery.payload);
  const data = body.data;
  if (!data || !LINK_FIELDS.some(([field]) => isRef(data[field]))) return delivery.payload;
  const order = await findOrderById(deps.db.kysely, delivery.subjectId);
  const links = order && order.tenant_id === delivery.tenantId ? orderLinks(deps, order) : null;
  for (const [field, suffix] of LINK_FIELDS) {
    if (isRef(data[field])) data[field] = links ? `${links.url}${suffix}` : null;
  }
  return JSON.stringify(body);
}

const isRef = (value: unknown): boolean => typeof value === 'string' && value.startsWith(ORDER_LINK_REF);
