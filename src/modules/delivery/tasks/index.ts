import { Type } from 'typebox';
import type { Deps } from '../../../platform/deps.js';
import { EventTaskPayload } from '../../../platform/events.js';
import {
  DEFAULT_TASK_ATTEMPTS,
  defineTask,
  type TaskHelpers,
  type TaskPayloadsOf,
  type TaskRegistry,
} from '../../../platform/jobs/index.js';
import { INVOICE_EVENTS } from '../../invoicing/index.js';
import { createMailer } from '../mailer.js';
import { createSmsProvider } from '../sms-provider.js';
import { markDeliveryDeadById } from '../webhooks.repo.js';
import { runDeliverToBuyer } from './deliver-to-buyer.task.js';
import { runDeliverWebhook } from './deliver-webhook.task.js';
import { mayHaveWebhookSubscribers, runFanOutEvent } from './fan-out-event.task.js';
import { type BuyerChannels, markFailedIfLast, runSendInvoiceEmail, runSendInvoiceSms } from './send-to-buyer.task.js';

/**
 * Attempts of one webhook delivery. With the job queue's backoff (e^n s, capped at ≈ 6 h 7 min, ±20 % jitter) the
 * 15th attempt comes ≈ 34 h after the first (≥ 27 h with the shortest jitter): the ≥ 24 h window of the design.
 */
export const WEBHOOK_MAX_ATTEMPTS = 15;

/** Attempts of one buyer e-mail or SMS (≈ 9.7 h of retries). */
export const BUYER_SEND_MAX_ATTEMPTS = 11;

/** The mailer and SMS provider of each runtime, made when its tasks are registered. */
const buyerChannels = new WeakMap<Deps, BuyerChannels>();

function buyerChannelsOf(deps: Deps): BuyerChannels {
  const channels = buyerChannels.get(deps);
  if (!channels) throw new Error('delivery tasks are not registered for these deps');
  return channels;
}

const sendWith =
  (run: typeof runSendInvoiceEmail) =>
  async (deps: Deps, payload: { buyerDeliveryId: string }, helpers: TaskHelpers): Promise<void> => {
    try {
      await run(deps, buyerChannelsOf(deps), payload.buyerDeliveryId);
    } catch (err) {
      await markFailedIfLast(deps, payload.buyerDeliveryId, helpers);
      throw err;
    }
  };

/** One webhook delivery per business system subscribed to an event (the event bus keys it by the event's key). */
export const fanOutEventTask = defineTask({
  id: 'delivery/fan-out-event',
  payload: EventTaskPayload,
  maxAttempts: DEFAULT_TASK_ATTEMPTS,
  handler: (deps: Deps, payload) => runFanOutEvent(deps, payload.event),
});

/**
 * One signed POST of a webhook delivery per attempt. Enqueued with `key: {businessSystemId}:{eventId}` by the fan-out
 * and `key: {deliveryId}:{redeliveries}` by a redelivery.
 */
export const deliverWebhookTask = defineTask({
  id: 'delivery/deliver-webhook',
  payload: Type.Object({
    deliveryId: Type.String(),
    /** The series this job sends (0: the first; n: the n-th redelivery). Absent in jobs enqueued before it existed. */
    redeliveries: Type.Optional(Type.Integer({ minimum: 0 })),
  }),
  maxAttempts: WEBHOOK_MAX_ATTEMPTS,
  handler: (deps: Deps, payload, helpers) => runDeliverWebhook(deps, payload.deliveryId, helpers),
  // A worker that crashed during the last attempt: the delivery is dead (and can be redelivered), not `retrying`.
  // Only for this job's own series: the job of a delivery that was redelivered meanwhile dies late (its last failed
  // attempt marked the delivery dead, a user redelivered it, then the queue recorded the job's death) and must not
  // kill the redelivery.
  onDead: (deps, payload, { lastError }) =>
    markDeliveryDeadById(deps.db.kysely, payload.deliveryId, payload.redeliveries ?? 0, lastError, deps.clock.now()),
});

/** The buyer's e-mail and SMS deliveries of an issued invoice. */
export const deliverToBuyerTask = defineTask({
  id: 'delivery/deliver-to-buyer',
  payload: EventTaskPayload,
  maxAttempts: DEFAULT_TASK_ATTEMPTS,
  handler: (deps: Deps, payload) => runDeliverToBuyer(deps, payload.event),
});

const BuyerDeliveryPayload = Type.Object({ buyerDeliveryId: Type.String() });

/** Sends one buyer delivery by e-mail (one job per delivery). */
export const sendInvoiceEmailTask = defineTask({
  id: 'delivery/send-invoice-email',
  payload: BuyerDeliveryPayload,
  maxAttempts: BUYER_SEND_MAX_ATTEMPTS,
  jobKey: (payload) => payload.buyerDeliveryId,
  handler: sendWith(runSendInvoiceEmail),
});

/** Sends one buyer delivery by SMS (one job per delivery). */
export const sendInvoiceSmsTask = defineTask({
  id: 'delivery/send-invoice-sms',
  payload: BuyerDeliveryPayload,
  maxAttempts: BUYER_SEND_MAX_ATTEMPTS,
  jobKey: (payload) => payload.buyerDeliveryId,
  handler: sendWith(runSendInvoiceSms),
});

const DELIVERY_TASKS = [
  fanOutEventTask,
  deliverWebhookTask,
  deliverToBuyerTask,
  sendInvoiceEmailTask,
  sendInvoiceSmsTask,
] as const;

declare module '../../../platform/jobs/index.js' {
  interface TaskPayloads extends TaskPayloadsOf<typeof DELIVERY_TASKS> {}
}

/** The delivery module's tasks and event subscriptions. `channels` overrides the mailer/SMS provider (tests). */
export function registerDeliveryTasks(registry: TaskRegistry, deps: Deps, channels?: BuyerChannels): void {
  buyerChannels.set(deps, channels ?? { mailer: createMailer(deps), sms: createSmsProvider(deps) });
  registry.register(deps, DELIVERY_TASKS);
  // No fan-out job for an event no business system wants (most invoices of most tenants): decided at publish time.
  deps.events.subscribe(INVOICE_EVENTS, fanOutEventTask.id, (event, db) => mayHaveWebhookSubscribers(deps, db, event));
  // Only invoices whose request named an e-mail or mobile (a later POST …/deliver re-sends on demand).
  deps.events.subscribe('invoice.issued', deliverToBuyerTask.id, (event) => event.data?.hasBuyerContact === true);
}
