import type { Deps } from '../../platform/deps.js';
import { AppError } from '../../platform/errors/app-error.js';
import { type AuditMeta, appendAudit, scheduleAuditSealer } from '../audit/index.js';
import { WEBHOOK_DELIVERY_IN_PROGRESS, WEBHOOK_DELIVERY_NOT_FOUND } from './delivery.errors.js';
import type { WebhookDelivery } from './delivery.tables.js';
import { findTenantDelivery, reopenDeliveryIf } from './webhooks.repo.js';

/** A delivery of the tenant, or WEBHOOK_DELIVERY_NOT_FOUND (also for another tenant's). */
export async function getWebhookDeliveryOrThrow(deps: Deps, tenantId: string, id: string): Promise<WebhookDelivery> {
  const delivery = await findTenantDelivery(deps.db.kysely, tenantId, id);
  if (!delivery) throw new AppError(WEBHOOK_DELIVERY_NOT_FOUND, `回调投递 ${id} 不存在`);
  return delivery;
}

/**
 * Sends a `dead` (or already `delivered`) delivery again: same delivery id, same body, fresh timestamp and
 * signature, a new series of attempts. The job is enqueued with the status change in one transaction.
 */
export async function redeliverWebhook(
  deps: Deps,
  tenantId: string,
  id: string,
  meta?: AuditMeta,
): Promise<WebhookDelivery> {
  const delivery = await getWebhookDeliveryOrThrow(deps, tenantId, id);
  if (delivery.status === 'pending' || delivery.status === 'retrying') {
    throw new AppError(WEBHOOK_DELIVERY_IN_PROGRESS, undefined, { status: delivery.status });
  }
  const now = deps.clock.now();
  const redeliveries = delivery.redeliveries + 1;
  const changed = await deps.db.kysely.transaction().execute(async (trx) => {
    if (!(await reopenDeliveryIf(trx, delivery, now))) return false;
    await deps.jobs.enqueue(
      trx,
      'delivery/deliver-webhook',
      { deliveryId: delivery.id, redeliveries },
      { tenantId, key: `${delivery.id}:${redeliveries}` },
    );
    if (meta) {
      await appendAudit({ db: trx, clock: deps.clock }, meta, {
        action: 'delivery.webhooks.redeliver',
        target: { type: 'webhook_delivery', id: delivery.id },
        before: { status: delivery.status, redeliveries: delivery.redeliveries },
        after: { status: 'pending', redeliveries },
      });
      await scheduleAuditSealer({ db: trx, clock: deps.clock, jobs: deps.jobs });
    }
    return true;
  });
  if (!changed) throw new AppError(WEBHOOK_DELIVERY_IN_PROGRESS, undefined, { status: 'pending' });
  deps.jobs.notify();
  return { ...delivery, status: 'pending', redeliveries, updated_at: now };
}
