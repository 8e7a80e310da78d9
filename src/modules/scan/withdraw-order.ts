import type { Deps } from '../../platform/deps.js';
import { AppError } from '../../platform/errors/app-error.js';
import { type AuditMeta, appendAudit, scheduleAuditSealer } from '../audit/index.js';
import { publishOrderEvent } from './order-events.js';
import { findOrderById, findOrderByNo, updateOrderIf } from './orders.repo.js';
import { ORDER_ALREADY_SUBMITTED, SCAN_ORDER_NOT_FOUND } from './scan.errors.js';
import type { ScanOrder } from './scan.tables.js';
import { findSettingById } from './settings.service.js';
import { ORDER_CHANGED_TOPIC } from './wait-for-order.js';

export async function getOrderOrThrow(deps: Deps, tenantId: string, orderNo: string): Promise<ScanOrder> {
  const order = await findOrderByNo(deps.db.kysely, tenantId, orderNo);
  if (!order) throw new AppError(SCAN_ORDER_NOT_FOUND, `扫码订单 ${orderNo} 不存在`);
  return order;
}

/**
 * 单据撤回: only while the consumer has not submitted (open, also once expired); withdrawing twice is a no-op.
 * A static-link order waiting for the merchant's confirmation is rejected the same way while still `submitted`.
 * The conditional update races safely with a consumer submitting (or the merchant confirming) at the same moment:
 * exactly one of them wins.
 */
export async function withdrawOrder(
  deps: Deps,
  tenantId: string,
  orderNo: string,
  meta?: AuditMeta,
): Promise<ScanOrder> {
  const order = await getOrderOrThrow(deps, tenantId, orderNo);
  if (order.status === 'withdrawn') return order;
  const setting = await findSettingById(deps, order.setting_id);
  // The move and its signal in one transaction (PostgreSQL: the NOTIFY rides the commit).
  const won = await deps.signals.withTransaction(deps.db.kysely, async (trx, publish) => {
    const now = deps.clock.now();
    const from = order.needs_confirmation === 1 ? (['open', 'submitted'] as const) : (['open'] as const);
    if (!(await updateOrderIf(trx, order.id, from, { status: 'withdrawn', updated_at: now }))) return false;
    await publishOrderEvent(deps, trx, 'order.withdrawn', order, {
      businessSystemCode: setting?.business_system_code ?? null,
    });
    if (meta) {
      await appendAudit({ db: trx, clock: deps.clock }, meta, {
        action: 'scan.orders.withdraw',
        target: { type: 'scan_order', id: order.order_no },
        before: { status: order.status },
        after: { status: 'withdrawn' },
      });
      await scheduleAuditSealer({ db: trx, clock: deps.clock, jobs: deps.jobs });
    }
    publish(ORDER_CHANGED_TOPIC, order.id);
    return true;
  });
  const current = (await findOrderById(deps.db.kysely, order.id))!;
  if (!won && current.status !== 'withdrawn') {
    throw new AppError(ORDER_ALREADY_SUBMITTED, `订单 ${orderNo} 已提交抬头（${current.status}），不能撤回`);
  }
  return current;
}
