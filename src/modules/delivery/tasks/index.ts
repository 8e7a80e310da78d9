import type { Deps } from '../../../platform/deps.js';
import type { DomainEvent } from '../../../platform/events.js';
import type { TaskHelpers, TaskRegistry } from '../../../platform/jobs/index.js';
import { INVOICE_EVENTS } from '../../invoicing/index.js';
import { createMailer } from '../mailer.js';
import { createSmsProvider } from '../sms-provider.js';
import { markDeliveryDeadById } from '../webhooks.repo.js';
import { runDeliverToBuyer } from './deliver-to-buyer.task.js';
import { runDeliverWebhook } from './deliver-webhook.task.js';
import { runFanOutEvent } from './fan-out-event.task.js';
import { type BuyerChannels, markFailedIfLast, runSendInvoiceEmail, runSendInvoiceSms } from './send-to-buyer.task.js';

declare module '../../../platform/jobs/index.js' {
  interface TaskPayloads {
    'delivery/fan-out-event': { event: DomainEvent };
    'delivery/deliver-webhook': { deliveryId: string };
    'delivery/deliver-to-buyer': { event: DomainEvent };
    'delivery/send-invoice-email': { buyerDeliveryId: string };
    'delivery/send-invoice-sms': { buyerDeliveryId: string };
  }
}

/**
 * Attempts of one webhook delivery. With the job queue's backoff (e^n s, capped at ≈ 6 h 7 min, ±20 % jitter) the
 * 15th attempt comes ≈ 34 h after the first (≥ 27 h with the shortest jitter): the ≥ 24 h window of the design.
 */
export const WEBHOOK_MAX_ATTEMPTS = 15;

/** Attempts of one buyer e-mail or SMS (≈ 9.7 h of retries). */
export const BUYER_SEND_MAX_ATTEMPTS = 11;

const hasString = (key: string) => (payload: unknown) =>
  typeof (payload as Record<string, unknown>)?.[key] === 'string' ? null : `payload.${key} must be a string`;
const hasEvent = (payload: unknown) =>
  typeof (payload as { event?: { id?: unknown } })?.event?.id === 'string' ? null : 'payload.event must be an event';

/** The delivery module's tasks and event subscriptions. `channels` overrides the mailer/SMS provider (tests). */
export function registerDeliveryTasks(registry: TaskRegistry, deps: Deps, channels?: BuyerChannels): void {
  const buyer: BuyerChannels = channels ?? { mailer: createMailer(deps), sms: createSmsProvider(deps) };
  const sendWith =
    (run: typeof runSendInvoiceEmail) =>
    async (payload: { buyerDeliveryId: string }, helpers: TaskHelpers): Promise<void> => {
      try {
        await run(deps, buyer, payload.buyerDeliveryId);
      } catch (err) {
        await markFailedIfLast(deps, payload.buyerDeliveryId, helpers);
        throw err;
      }
    };
  registry.define('delivery/fan-out-event', {
    handler: (payload) => runFanOutEvent(deps, payload.event),
    maxAttempts: 12,
    validate: hasEvent,
  });
  registry.define('delivery/deliver-webhook', {
    handler: (payload, helpers) => runDeliverWebhook(deps, payload.deliveryId, helpers),
    // A worker that crashed during the last attempt: the delivery is dead (and can be redelivered), not `retrying`.
    onDead: (payload, { lastError }) =>
      markDeliveryDeadById(deps.db.kysely, payload.deliveryId, lastError, deps.clock.now()),
    maxAttempts: WEBHOOK_MAX_ATTEMPTS,
    validate: hasString('deliveryId'),
  });
  registry.define('delivery/deliver-to-buyer', {
    handler: (payload) => runDeliverToBuyer(deps, payload.event),
    maxAttempts: 12,
    validate: hasEvent,
  });
  registry.define('delivery/send-invoice-email', {
    handler: sendWith(runSendInvoiceEmail),
    maxAttempts: BUYER_SEND_MAX_ATTEMPTS,
    validate: hasString('buyerDeliveryId'),
  });
  registry.define('delivery/send-invoice-sms', {
    handler: sendWith(runSendInvoiceSms),
    maxAttempts: BUYER_SEND_MAX_ATTEMPTS,
    validate: hasString('buyerDeliveryId'),
  });
  deps.events.subscribe(INVOICE_EVENTS, 'delivery/fan-out-event');
  // Only invoices whose request named an e-mail or mobile (a later POST …/deliver re-sends on demand).
  deps.events.subscribe('invoice.issued', 'delivery/deliver-to-buyer', (event) => event.data?.hasBuyerContact === true);
}
