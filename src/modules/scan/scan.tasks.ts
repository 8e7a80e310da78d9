import type { Deps } from '../../platform/deps.js';
import type { DomainEvent } from '../../platform/events.js';
import type { TaskRegistry } from '../../platform/jobs/index.js';
import { fenToDecimalString } from '../../tax/index.js';
import { registerEventSource } from '../delivery/index.js';
import { getInvoiceOrThrow, registerMonitorExceptionSource } from '../invoicing/index.js';
import { issueOrder, SCAN_ORIGIN } from './issue-order.js';
import { scanLinkMonitorExceptions } from './limit-exceptions.js';
import { loadOrderEventSource, resolveOrderWebhookBody } from './order-event-source.js';
import { ORDER_EVENTS, publishOrderEvent } from './order-events.js';
import { findOrderByInvoiceSerial, updateOrderIf } from './orders.repo.js';
import { findSettingById } from './settings.service.js';
import { announceOrderSettled } from './wait-for-order.js';

declare module '../../platform/jobs/index.js' {
  interface TaskPayloads {
    'scan/issue-order': { orderId: string };
    'scan/invoice-settled': { event: DomainEvent };
  }
}

/**
 * Scan-to-invoice background work: issuing submitted orders, and following their invoices. Also hooks scan into
 * the other modules' registries (webhook payloads of order events, the monitor's exceptions): every process runs it.
 */
export function registerScanTasks(registry: TaskRegistry, deps: Deps): void {
  registry.define('scan/issue-order', {
    handler: async (payload) => {
      await issueOrder(deps, payload.orderId, { rethrow: false });
    },
    maxAttempts: 12,
    validate: (p) =>
      typeof (p as { orderId?: unknown })?.orderId === 'string' ? null : 'payload.orderId must be a string',
  });
  registry.define('scan/invoice-settled', {
    handler: (payload) => onInvoiceSettled(deps, payload.event),
    maxAttempts: 12,
    validate: (p) => (typeof (p as { event?: unknown })?.event === 'object' ? null : 'payload.event must be an object'),
  });
  deps.events.subscribe(
    ['invoice.issued', 'invoice.failed'],
    'scan/invoice-settled',
    (event) => event.data?.origin === SCAN_ORIGIN,
  );
  // Order events (按单) go to the business system like invoice events: delivery builds their payload with ours.
  registerEventSource('order', loadOrderEventSource, resolveOrderWebhookBody);
  deps.events.subscribe(ORDER_EVENTS, 'delivery/fan-out-event');
  // Static links over their limits show in 开票过程监控 next to failed invoices.
  registerMonitorExceptionSource('scan_link_limit', scanLinkMonitorExceptions);
}

/**
 * An order's invoice was issued (→ `invoiced`, publishing `order.invoiced` with every invoice of the order) or
 * failed (→ `failed`, for the merchant to fix the invoice; a later `invoice.issued` still completes the order).
 */
async function onInvoiceSettled(deps: Deps, event: DomainEvent): Promise<void> {
  const serialNo = event.data?.serialNo;
  if (typeof serialNo !== 'string') return;
  const db = deps.db.kysely;
  const order = await findOrderByInvoiceSerial(db, event.tenantId, serialNo);
  if (!order) return;
  // Read from the invoice, not the event: events queued before invoices had an origin carry none.
  const invoice = await getInvoiceOrThrow(deps, event.tenantId, serialNo);
  if (invoice.origin !== SCAN_ORIGIN) return;
  const now = deps.clock.now();
  if (event.type === 'invoice.failed') {
    await updateOrderIf(db, order.id, ['invoicing'], {
      status: 'failed',
      failure_reason: invoice.failure_reason ?? '开票失败',
      updated_at: now,
    });
    announceOrderSettled(order.id);
    return;
  }
  const setting = await findSettingById(deps, order.setting_id);
  const won = await db.transaction().execute(async (trx) => {
    const changed = await updateOrderIf(trx, order.id, ['invoicing', 'failed'], {
      status: 'invoiced',
      invoice_id: invoice.id,
      invoiced_at: now,
      failure_reason: null,
      updated_at: now,
    });
    if (!changed) return false;
    await publishOrderEvent(deps, trx, 'order.invoiced', order, {
      businessSystemCode: setting?.business_system_code ?? null,
      invoices: [
        {
          serialNo: invoice.serial_no,
          number: invoice.number,
          status: invoice.status,
          total: fenToDecimalString(invoice.total_fen),
        },
      ],
    });
    return true;
  });
  if (won) announceOrderSettled(order.id);
}
