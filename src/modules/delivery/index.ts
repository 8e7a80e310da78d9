/** Delivery: webhooks to business systems, the invoice to the buyer by e-mail and SMS, the outbox. */

export type { DeliveryTables } from './delivery.tables.js';
export { type DeliverySettings, getDeliverySettings } from './delivery-settings.js';
export { countWebhookDeliveriesByStatus } from './delivery-stats.repo.js';
export { type BodyResolver, type EventSource, registerEventSource, type SourceLoader } from './event-source.js';
export { createMailer, type Mailer, type OutgoingMail } from './mailer.js';
export {
  type PostWebhookInput,
  postWebhook,
  RESPONSE_EXCERPT_BYTES,
  type WebhookAttemptResult,
} from './post-webhook.js';
export { RESEND_LIMIT, resendToBuyer } from './resend-to-buyer.js';
export { buyerDeliveryRoutes } from './routes/buyer-delivery.routes.js';
export { webhookDeliveriesRoutes } from './routes/webhook-deliveries.routes.js';
export { createHttpSmsProvider, createSmsProvider, type SmsMessage, type SmsProvider } from './sms-provider.js';
export { webhookBodyJson } from './stored-json.js';
export { mayHaveWebhookSubscribers } from './tasks/fan-out-event.task.js';
export { registerDeliveryTasks, WEBHOOK_MAX_ATTEMPTS } from './tasks/index.js';
export { renderInvoiceMail, renderInvoiceSms } from './templates.js';
export {
  buildSignatureHeader,
  computeWebhookSignature,
  type VerifyWebhookOptions,
  verifyWebhookSignature,
} from './webhook-signature.js';
