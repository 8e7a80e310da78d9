import type { Transaction } from 'kysely';
import type { Database } from '../../platform/db/database.js';
import type { Deps } from '../../platform/deps.js';
import { AppError } from '../../platform/errors/app-error.js';
import type { DispatchSlot, Job } from '../../platform/jobs/index.js';
import { getSellerOrThrow } from '../orgs/index.js';
import { publishOrderEvent, publishOrderEventAfter } from './order-events.js';
import { checkTitle, type OrderTitle, toInvoiceRequest } from './order-title.js';
import { findOrderById, updateOrderIf } from './orders.repo.js';
import { KIND_NOT_ALLOWED } from './scan.errors.js';
import type { ScanOrder, ScanSetting } from './scan.tables.js';
import { orderKindsJson } from './stored-json.js';
import { ORDER_CHANGED_TOPIC } from './wait-for-order.js';

/**
 * Records a consumer's title on an open order, exactly once: double taps, two phones and retries race on a
 * conditional update, and only the winner's title is kept (the others get the order as the winner left it).
 * Validates the title with the full tax rules first. `issue` settings get their invoice through the
 * `scan/issue-order` job enqueued in the same transaction.
 */
export async function submitTitle(
  deps: Deps,
  order: ScanOrder,
  setting: ScanSetting,
  title: OrderTitle,
): Promise<{ order: ScanOrder; accepted: boolean }> {
  const kinds: string[] = orderKindsJson.decode(order.allowed_kinds);
  if (!kinds.includes(title.kind)) throw new AppError(KIND_NOT_ALLOWED, `票种 ${title.kind} 不可选`);
  if (order.status === 'open' && order.expires_at > deps.clock.now()) {
    const seller = await getSellerOrThrow(deps.db.kysely, order.tenant_id, order.seller_tax_id);
    await checkTitle(deps, toInvoiceRequest(order, title, setting.business_system_code), seller.name);
  }
  // The move and its signal in one transaction (PostgreSQL: the NOTIFY rides the commit).
  const accepted = await deps.signals.withTransaction(deps.db.kysely, async (trx, publish) => {
    const won = await recordSubmission(deps, trx, order, setting, title);
    if (won) publish(ORDER_CHANGED_TOPIC, order.id);
    return won;
  });
  if (accepted) deps.jobs.notify();
  return { order: (await findOrderById(deps.db.kysely, order.id))!, accepted };
}

/** open → submitted in `trx` (only if still open and unexpired), publishing `order.submitted`; true if it won. */
export async function recordSubmission(
  deps: Deps,
  trx: Transaction<Database>,
  order: ScanOrder,
  setting: ScanSetting,
  title: OrderTitle,
): Promise<boolean> {
  const now = deps.clock.now();
  const buyerJson = JSON.stringify(title);
  const won = await updateOrderIf(
    trx,
    order.id,
    ['open'],
    { status: 'submitted', buyer_json: buyerJson, submitted_at: now, updated_at: now },
    { notExpiredAt: now },
  );
  if (!won) return false;
  await afterSubmission(deps, trx, { ...order, buyer_json: buyerJson }, setting);
  return true;
}

/** Whether a submitted order of `setting` is issued at once (else it waits for the merchant's confirmation). */
export const issuesOnSubmit = (order: Pick<ScanOrder, 'needs_confirmation'>, setting: Pick<ScanSetting, 'scan_type'>) =>
  setting.scan_type === 'issue' && order.needs_confirmation !== 1;

/**
 * What a submission writes besides the order (in its transaction `trx`): `order.submitted`, and the
 * `scan/issue-order` job unless the order waits for the merchant (a static order of a setting that wants the
 * merchant's confirmation waits for `POST …/issue` or a withdraw).
 */
export async function afterSubmission(
  deps: Deps,
  trx: Transaction<Database>,
  order: ScanOrder,
  setting: ScanSetting,
  slot: DispatchSlot | null = null,
): Promise<Job | undefined> {
  await publishOrderEvent(deps, trx, 'order.submitted', order, { businessSystemCode: setting.business_system_code });
  if (!issuesOnSubmit(order, setting)) return undefined;
  const enqueued = await deps.jobs.enqueue(
    trx,
    'scan/issue-order',
    { orderId: order.id, orderNo: order.order_no },
    { tenantId: order.tenant_id, slot },
  );
  return enqueued.job;
}

/** PostgreSQL: `order.submitted`'s subscriber jobs as CTE bodies of the statement that writes the order (`after`). */
export function publishSubmittedAfter(deps: Deps, after: string, order: ScanOrder, setting: ScanSetting) {
  return publishOrderEventAfter(deps, after, 'order.submitted', order, {
    businessSystemCode: setting.business_system_code,
  });
}
