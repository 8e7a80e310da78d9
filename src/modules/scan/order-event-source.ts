import type { Deps } from '../../platform/deps.js';
import type { DomainEvent } from '../../platform/events.js';
import { toOrderView } from './order-view.js';
import { findOrderById } from './orders.repo.js';
import { findSettingById } from './settings.service.js';

/**
 * The webhook payload of an order event (按单): the order as GET /api/v1/scan/orders/{orderNo} shows it (buyer
 * title, every invoice of the order), and who owns it. Shaped like delivery's `EventSource` so the fan-out can
 * register it for the `order.` family; null when the order no longer exists.
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
  return {
    businessSystemCode: setting.business_system_code,
    invoiceSerialNo: order.invoice_serial_no,
    data: await toOrderView(deps, order, setting),
  };
}
