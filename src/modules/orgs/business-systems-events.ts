/**
 * Public event names a business system can subscribe to (docs/webhooks.md). Invoice events are published by
 * invoicing; order events (按单) come with scan-to-invoice. Add new names here: subscriptions are validated
 * against this list, and an event nobody publishes yet simply never fires.
 */
export const WEBHOOK_EVENT_TYPES = [
  'invoice.issued',
  'invoice.failed',
  'invoice.reversed',
  'order.submitted',
  'order.invoiced',
  'order.withdrawn',
  'received.created',
  'received.verified',
  'received.changed',
  'bill.saved',
  'bill.deleted',
  'bill.invoice_changed',
  'voucher.saved',
  'voucher.deleted',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** What a new business system subscribes to when the request names no events. */
export const DEFAULT_SUBSCRIBED_EVENTS: readonly WebhookEventType[] = [
  'invoice.issued',
  'invoice.failed',
  'invoice.reversed',
];
