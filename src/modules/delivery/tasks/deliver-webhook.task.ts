import { ctxOf, type Deps } from '../../../platform/deps.js';
import { PermanentJobError, type TaskHelpers } from '../../../platform/jobs/index.js';
import { findBusinessSystemById, signingSecretsOf } from '../../orgs/index.js';
import type { WebhookDelivery } from '../delivery.tables.js';
import { resolveWebhookBody } from '../event-source.js';
import { postWebhook } from '../post-webhook.js';
import { buildSignatureHeader } from '../webhook-signature.js';
import { findDeliveryById, markDeliveryDead, recordAttempt } from '../webhooks.repo.js';

/** The `User-Agent` of webhook requests. */
export const WEBHOOK_USER_AGENT = 'OpenFapiao-Webhooks/1';

/** Headers of one attempt; the delivery id is the same on every attempt (receivers de-duplicate on it). */
export function webhookHeaders(delivery: WebhookDelivery, timestamp: number, signature: string) {
  return {
    'content-type': 'application/json; charset=utf-8',
    'user-agent': WEBHOOK_USER_AGENT,
    'x-openfapiao-event': delivery.event_type,
    'x-openfapiao-delivery': delivery.id,
    'x-openfapiao-timestamp': String(timestamp),
    'x-openfapiao-signature': signature,
  };
}

async function giveUp(deps: Deps, delivery: WebhookDelivery, reason: string): Promise<never> {
  await markDeliveryDead(deps.db.kysely, delivery, reason, deps.clock.now());
  throw new PermanentJobError(reason);
}

/**
 * `delivery/deliver-webhook`: one signed POST of a delivery, logged as an attempt. A non-2xx answer or a network
 * error throws, so the job queue retries with its backoff; the job's last attempt marks the delivery `dead`.
 */
export async function runDeliverWebhook(
  deps: Deps,
  deliveryId: string,
  helpers: Pick<TaskHelpers, 'job'>,
): Promise<void> {
  const delivery = await findDeliveryById(deps.db.kysely, deliveryId);
  if (!delivery) throw new PermanentJobError(`webhook delivery ${deliveryId} does not exist`);
  if (delivery.status === 'delivered' || delivery.status === 'dead') return;
  const system = await findBusinessSystemById(ctxOf(deps), delivery.tenant_id, delivery.business_system_id);
  if (!system?.callback_url) return giveUp(deps, delivery, 'business system removed or without callback URL');
  if (system.enabled !== 1) return giveUp(deps, delivery, 'business system disabled');

  const startedAt = deps.clock.now();
  const timestamp = Math.floor(startedAt / 1000);
  const body = await resolveWebhookBody(deps, delivery);
  const signature = buildSignatureHeader(signingSecretsOf(deps, system), timestamp, body);
  const result = await postWebhook({
    url: system.callback_url,
    body,
    headers: webhookHeaders(delivery, timestamp, signature),
    timeoutMs: deps.config.delivery.webhookTimeoutMs,
    allowedHosts: deps.config.delivery.outboundAllowedHosts,
  });
  const isLastTry = helpers.job.attempts >= helpers.job.max_attempts;
  const status = result.ok ? 'delivered' : isLastTry ? 'dead' : 'retrying';
  await recordAttempt(deps.db.kysely, delivery, { attemptNo: delivery.attempts + 1, startedAt, result, status });
  if (!result.ok) throw new Error(`webhook attempt ${delivery.attempts + 1} failed: ${result.error}`);
}
