import type { Deps } from '../../platform/deps.js';
import { AppError, isAppError } from '../../platform/errors/app-error.js';
import { type AuditMeta, appendAudit, scheduleAuditSealer } from '../audit/index.js';
import { createInvoice, type InvoiceOrigin } from '../invoicing/index.js';
import { type OrderTitle, orderSerialNo, toInvoiceRequest } from './order-title.js';
import { findOrderById, updateOrderIf, updateOrderIfReturning } from './orders.repo.js';
import { ORDER_NOT_SUBMITTED } from './scan.errors.js';
import type { ScanOrder } from './scan.tables.js';
import { findSettingById } from './settings.service.js';
import { orderTitleJson } from './stored-json.js';
import { ORDER_CHANGED_TOPIC, ORDER_SETTLED_TOPIC } from './wait-for-order.js';

/** The origin of the invoices scan orders create: the ones this module follows (scan.tasks.ts). */
export const SCAN_ORIGIN: InvoiceOrigin = 'scan_order';

/**
 * Turns a submitted order into its invoice request (serial number derived from the order number, so the invoice
 * exists once whatever retries happen). The order moves to `invoicing` first, so the `invoice.issued` listener can
 * always find it. `rethrow`: API callers get validation errors as 422; the job records them on the order instead.
 * With `meta` (a console user or an app asked for it) the move is audited (`scan.orders.issue`) in its transaction.
 * Answers the order as it then is.
 */
export async function issueOrder(
  deps: Deps,
  orderId: string,
  options: { rethrow: boolean; meta?: AuditMeta },
): Promise<ScanOrder> {
  return (await startOrderInvoice(deps, orderId, options)) ?? (await findOrderById(deps.db.kysely, orderId))!;
}

/**
 * {@link issueOrder} without its answer (the job's way: one read fewer per issued order): the order when nothing
 * was to be done, undefined when this call changed it (or another caller moved it first). With `orderNo` (the job's
 * payload carries it) an order still to be moved is moved and read in ONE statement (`update … returning`).
 *
 * The order's `invoice_id` is set when its invoice settles (scan/invoice-settled), not here: while `invoicing` the
 * invoice is found by the serial number, and a second call on an order still `invoicing` creates nothing new (the
 * serial number makes `createInvoice` answer the invoice it made).
 */
export async function startOrderInvoice(
  deps: Deps,
  orderId: string,
  options: { rethrow: boolean; meta?: AuditMeta; orderNo?: string },
): Promise<ScanOrder | undefined> {
  const db = deps.db.kysely;
  const moving = (orderNo: string) => ({
    status: 'invoicing' as const,
    invoice_serial_no: orderSerialNo(orderNo),
    failure_reason: null,
    updated_at: deps.clock.now(),
  });
  const { meta, orderNo } = options;
  // The job's way: the move and its signal (PostgreSQL: folded into the statement) in one round trip.
  const changed = deps.signals.foldKeyed(ORDER_CHANGED_TOPIC);
  let order =
    meta === undefined && orderNo !== undefined
      ? await updateOrderIfReturning(db, orderId, orderNo, ['submitted', 'failed'], moving(orderNo), changed.sql)
      : undefined;
  if (order) changed.afterCommit(order.id);
  else {
    order = await findOrderById(db, orderId);
    if (!order) throw new Error(`scan order ${orderId} vanished`);
    if (order.status === 'submitted' || order.status === 'failed') {
      const set = moving(order.order_no);
      const before = order;
      // The move and its signal in one transaction (PostgreSQL: the NOTIFY rides the commit): a rollback wakes
      // nobody, a crash after the commit loses no wake-up.
      const moved = meta
        ? await deps.signals.withTransaction(db, async (trx, publish) => {
            if (!(await updateOrderIf(trx, before.id, ['submitted', 'failed'], set))) return false;
            await appendAudit({ db: trx, clock: deps.clock }, meta, {
              action: 'scan.orders.issue',
              target: { type: 'scan_order', id: before.order_no },
              before: { status: before.status },
              after: { status: 'invoicing', invoiceSerialNo: set.invoice_serial_no },
            });
            await scheduleAuditSealer({ db: trx, clock: deps.clock, jobs: deps.jobs });
            publish(ORDER_CHANGED_TOPIC, before.id);
            return true;
          })
        : await updateOrderIfReturning(db, before.id, before.order_no, ['submitted', 'failed'], set, changed.sql);
      if (!moved) return undefined;
      if (moved !== true) changed.afterCommit(before.id);
    } else if (order.status !== 'invoicing' || order.invoice_id !== null) {
      if (order.status === 'open' && options.rethrow) throw new AppError(ORDER_NOT_SUBMITTED);
      return order;
    }
  }
  const setting = await findSettingById(deps, order.setting_id);
  // An order in `invoicing` has its title (submitted); the empty title is only a guard.
  const title = order.buyer_json ? orderTitleJson.decode(order.buyer_json) : ({} as OrderTitle);
  const data = toInvoiceRequest(order, title, setting?.business_system_code ?? null);
  try {
    await createInvoice(deps, {
      tenantId: order.tenant_id,
      origin: SCAN_ORIGIN,
      serialNo: orderSerialNo(order.order_no),
      data,
    });
  } catch (err) {
    if (!isAppError(err) || err.statusCode >= 500) throw err; // transient: the job retries
    await failInvoicingOrder(deps, order, { failure_reason: err.message });
    if (options.rethrow) throw err;
  }
  return undefined;
}

/**
 * Moves an order still `invoicing` to `failed` (with `failure_reason` and, when known, its invoice), and wakes its
 * `?wait` requests: the move and its settled signal in one statement (PostgreSQL: the NOTIFY rides the commit).
 */
export async function failInvoicingOrder(
  deps: Deps,
  order: Pick<ScanOrder, 'id' | 'order_no'>,
  patch: { failure_reason: string; invoice_id?: string },
): Promise<void> {
  const settled = deps.signals.foldKeyed(ORDER_SETTLED_TOPIC);
  const failed = await updateOrderIfReturning(
    deps.db.kysely,
    order.id,
    order.order_no,
    ['invoicing'],
    { status: 'failed', ...patch, updated_at: deps.clock.now() },
    settled.sql,
  );
  if (failed) settled.afterCommit(order.id);
}
