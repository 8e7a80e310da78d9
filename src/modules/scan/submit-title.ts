import type { Transaction } from 'kysely';
import type { Database } from '../../platform/db/database.js';
import type { Deps } from '../../platform/deps.js';
import { AppError } from '../../platform/errors/app-error.js';
import { getSellerOrThrow } from '../orgs/index.js';
import { publishOrderEvent } from './order-events.js';
import { checkTitle, type OrderTitle, toInvoiceRequest } from './order-title.js';
import { findOrderById, updateOrderIf } from './orders.repo.js';
import { KIND_NOT_ALLOWED } from './scan.errors.js';
import type { ScanOrder, ScanSetting } from './scan.tables.js';

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
  const kinds = JSON.parse(order.allowed_kinds) as string[];
  if (!kinds.includes(title.kind)) throw new AppError(KIND_NOT_ALLOWED, `票种 ${title.kind} 不可选`);
  if (order.status === 'open' && order.expires_at > deps.clock.now()) {
    const seller = await getSellerOrThrow(deps.db.kysely, order.tenant_id, order.seller_tax_id);
    await checkTitle(deps, toInvoiceRequest(order, title, setting.business_system_code), seller.name);
  }
  const accepted = await deps.db.kysely
    .transaction()
    .execute((trx) => recordSubmission(deps, trx, order, setting, title));
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
  await publishOrderEvent(
    deps,
    trx,
    'order.submitted',
    { ...order, buyer_json: buyerJson },
    {
      businessSystemCode: setting.business_system_code,
    },
  );
  // A static order of a setting that wants the merchant's confirmation waits for `POST …/issue` (or a withdraw).
  if (setting.scan_type === 'issue' && order.needs_confirmation !== 1) {
    await deps.jobs.enqueue(
      trx,
      'scan/issue-order',
      { orderId: order.id },
      { tenantId: order.tenant_id, jobKey: `scan/issue-order:${order.id}`, maxAttempts: 12 },
    );
  }
  return true;
}
