import { Type } from 'typebox';
import type { Deps } from '../../platform/deps.js';
import { type DomainEvent, EventTaskPayload } from '../../platform/events.js';
import {
  DEFAULT_TASK_ATTEMPTS,
  defineTask,
  type TaskHelpers,
  type TaskPayloadsOf,
  type TaskRegistry,
} from '../../platform/jobs/index.js';
import { fenToDecimalString } from '../../tax/index.js';
import { mayHaveWebhookSubscribers, registerEventSource } from '../delivery/index.js';
import { getInvoiceOrThrow, registerMonitorExceptionSource } from '../invoicing/index.js';
import { failInvoicingOrder, SCAN_ORIGIN, startOrderInvoice } from './issue-order.js';
import { scanLinkMonitorExceptions } from './limit-exceptions.js';
import { loadOrderEventSource, resolveOrderWebhookBody } from './order-event-source.js';
import { ORDER_EVENTS, publishOrderEvent } from './order-events.js';
import { findOrderByInvoiceSerial, settleOrderBySerial } from './orders.repo.js';
import { findSettingById } from './settings.service.js';
import { DAY_MS, PRUNE_COUNTERS_TASK } from './static-limits.js';
import { pruneLimitExceptions, pruneStaticCounters } from './static-limits.repo.js';
import { ORDER_SETTLED_TOPIC } from './wait-for-order.js';

/** Issues a submitted order's invoices (one job per order). */
export const issueOrderTask = defineTask({
  id: 'scan/issue-order',
  // orderNo: the order number (jobs enqueued before it was carried have none: the handler then reads the order first).
  payload: Type.Object({ orderId: Type.String(), orderNo: Type.Optional(Type.String()) }),
  maxAttempts: DEFAULT_TASK_ATTEMPTS,
  jobKey: (payload) => payload.orderId,
  handler: async (deps: Deps, payload) => {
    await startOrderInvoice(deps, payload.orderId, {
      rethrow: false,
      ...(payload.orderNo === undefined ? {} : { orderNo: payload.orderNo }),
    });
  },
});

/** Follows an order's invoice: issued or failed (subscribed to the invoice events of scan's serial numbers). */
export const invoiceSettledTask = defineTask({
  id: 'scan/invoice-settled',
  payload: EventTaskPayload,
  maxAttempts: DEFAULT_TASK_ATTEMPTS,
  handler: (deps: Deps, payload, helpers) => onInvoiceSettled(deps, payload.event, helpers),
});

/** Limit exceptions are kept this long (the monitor shows the last seven days). */
const EXCEPTION_RETENTION_MS = 30 * DAY_MS;

/**
 * Forgets the static links' counter rows of days before yesterday (no limit looks further back than today) and
 * limit exceptions older than 30 days, in short batches. One job per Asia/Shanghai day (`day`, its start).
 */
export const pruneStaticCountersTask = defineTask({
  id: PRUNE_COUNTERS_TASK,
  payload: Type.Object({ day: Type.Integer() }),
  maxAttempts: DEFAULT_TASK_ATTEMPTS,
  jobKey: (payload) => String(payload.day),
  handler: async (deps: Deps, payload) => {
    const { kysely: db, dialect } = deps.db;
    while ((await pruneStaticCounters(db, dialect, payload.day - DAY_MS)) > 0);
    while ((await pruneLimitExceptions(db, dialect, deps.clock.now() - EXCEPTION_RETENTION_MS)) > 0);
  },
});

const SCAN_TASKS = [issueOrderTask, invoiceSettledTask, pruneStaticCountersTask] as const;

declare module '../../platform/jobs/index.js' {
  interface TaskPayloads extends TaskPayloadsOf<typeof SCAN_TASKS> {}
}

/**
 * Scan-to-invoice background work: issuing submitted orders, and following their invoices. Also hooks scan into
 * the other modules' registries (webhook payloads of order events, the monitor's exceptions): every process runs it.
 */
export function registerScanTasks(registry: TaskRegistry, deps: Deps): void {
  registry.register(deps, SCAN_TASKS);
  deps.events.subscribe(
    ['invoice.issued', 'invoice.failed'],
    invoiceSettledTask.id,
    (event) => event.data?.origin === SCAN_ORIGIN,
  );
  // Order events (按单) go to the business system like invoice events: delivery builds their payload with ours.
  registerEventSource('order', loadOrderEventSource, resolveOrderWebhookBody);
  // Order events carry their business system code: no fan-out job when no business system wants the event (the
  // lookup is cached when the publisher is not inside a transaction, as for a new order's one statement).
  deps.events.subscribe(ORDER_EVENTS, 'delivery/fan-out-event', (event, db) =>
    mayHaveWebhookSubscribers(deps, db, event),
  );
  // Static links over their limits show in 开票过程监控 next to failed invoices.
  registerMonitorExceptionSource('scan_link_limit', scanLinkMonitorExceptions);
}

/**
 * An order's invoice was issued (→ `invoiced`, publishing `order.invoiced` with every invoice of the order) or
 * failed (→ `failed`, for the merchant to fix the invoice; a later `invoice.issued` still completes the order).
 *
 * Issued, as the issue task publishes it now (the event carries the invoice's number and total): `begin`, the
 * order's move found by the serial number and answered with the settled signal folded in (one statement), the job's
 * completion, `commit` — no read of the order or of the invoice.
 */
async function onInvoiceSettled(
  deps: Deps,
  event: DomainEvent,
  helpers?: Pick<TaskHelpers, 'complete'>,
): Promise<void> {
  const serialNo = event.data?.serialNo;
  if (typeof serialNo !== 'string') return;
  const db = deps.db.kysely;
  const now = deps.clock.now();
  if (event.type === 'invoice.failed') {
    const order = await findOrderByInvoiceSerial(db, event.tenantId, serialNo);
    if (!order) return;
    const invoice = await getInvoiceOrThrow(deps, event.tenantId, serialNo);
    if (invoice.origin !== SCAN_ORIGIN) return;
    await failInvoicingOrder(deps, order, {
      invoice_id: invoice.id,
      failure_reason: invoice.failure_reason ?? '开票失败',
    });
    return;
  }
  // Read from the invoice when the event does not carry it (events queued before they carried number and total, or
  // an origin): what the order records must be the invoice's.
  const invoice = issuedInvoiceOf(event, serialNo) ?? (await readIssuedInvoice(deps, event.tenantId, serialNo));
  if (invoice.origin !== SCAN_ORIGIN) return;
  const settled = deps.signals.foldKeyed(ORDER_SETTLED_TOPIC);
  const order = await db.transaction().execute(async (trx) => {
    const order = await settleOrderBySerial(
      trx,
      event.tenantId,
      serialNo,
      ['invoicing', 'failed'],
      { status: 'invoiced', invoice_id: invoice.id, invoiced_at: now, failure_reason: null, updated_at: now },
      settled.sql,
    );
    if (!order) return undefined;
    // The job succeeds with the order it invoiced (one commit).
    await helpers?.complete(trx);
    const setting = await findSettingById(deps, order.setting_id);
    await publishOrderEvent(deps, trx, 'order.invoiced', order, {
      businessSystemCode: setting?.business_system_code ?? null,
      invoices: [{ serialNo: invoice.serialNo, number: invoice.number, status: invoice.status, total: invoice.total }],
    });
    return order;
  });
  if (order) settled.afterCommit(order.id);
}

interface IssuedInvoice {
  id: string;
  origin: string | null;
  serialNo: string;
  number: string | null;
  status: string;
  total: string | null;
}

/** The invoice as an `invoice.issued` event carries it (number and total since they are carried), else null. */
function issuedInvoiceOf(event: DomainEvent, serialNo: string): IssuedInvoice | null {
  const { number, totalFen, origin } = event.data ?? {};
  if (typeof number !== 'string' || typeof totalFen !== 'number' || typeof origin !== 'string') return null;
  return { id: event.subjectId, origin, serialNo, number, status: 'issued', total: fenToDecimalString(totalFen) };
}

async function readIssuedInvoice(deps: Deps, tenantId: string, serialNo: string): Promise<IssuedInvoice> {
  const invoice = await getInvoiceOrThrow(deps, tenantId, serialNo);
  return {
    id: invoice.id,
    origin: invoice.origin,
    serialNo: invoice.serial_no,
    number: invoice.number,
    status: invoice.status,
    total: fenToDecimalString(invoice.total_fen),
  };
}
