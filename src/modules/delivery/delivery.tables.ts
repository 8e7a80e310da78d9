import type { Selectable } from 'kysely';
import type { DbBool } from '../../platform/db/database.js';

/** A webhook delivery: `pending` (not tried yet), `retrying` (failed, will retry), `delivered` (2xx), `dead` (gave up). */
export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'retrying', 'delivered', 'dead'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

/** One event for one business system; its id is the stable `X-OpenFapiao-Delivery` header of every attempt. */
export interface WebhookDeliveryTable {
  id: string;
  tenant_id: string;
  business_system_id: string;
  business_system_code: string;
  event_id: string;
  event_type: string;
  subject_id: string;
  invoice_serial_no: string | null;
  /** The exact JSON body sent on every attempt (frozen at fan-out). */
  payload: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  redeliveries: number;
  last_status_code: number | null;
  last_error: string | null;
  last_attempt_at: number | null;
  delivered_at: number | null;
  created_at: number;
  updated_at: number;
}

/** One HTTP attempt of a delivery (the delivery log). */
export interface WebhookAttemptTable {
  id: string;
  tenant_id: string;
  delivery_id: string;
  attempt_no: number;
  started_at: number;
  duration_ms: number;
  /** The checked IP address the request was pinned to. */
  address: string | null;
  status_code: number | null;
  /** At most 1 KB of the response body. */
  response_excerpt: string | null;
  error: string | null;
}

/** How a buyer receives an invoice. */
export const BUYER_CHANNELS = ['email', 'sms'] as const;
export type BuyerChannel = (typeof BUYER_CHANNELS)[number];

/** An invoice sent to the buyer by e-mail or SMS (on issue, or re-sent through the API). */
export interface BuyerDeliveryTable {
  id: string;
  tenant_id: string;
  invoice_id: string;
  invoice_serial_no: string;
  /** Deliveries requested together (one API call or one issue event) share it; the rate limit counts batches. */
  batch_id: string;
  trigger: 'issued' | 'manual';
  channel: BuyerChannel;
  recipient: string;
  status: 'pending' | 'sent' | 'failed';
  /** `smtp`, `sms_gateway` or `outbox`. */
  transport: string | null;
  message_id: string | null;
  attempts: number;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
}

/** Mail and SMS kept locally when no SMTP server / SMS gateway is configured (GET /api/v1/outbox). */
export interface OutboxMessageTable {
  id: string;
  tenant_id: string;
  channel: BuyerChannel;
  recipient: string;
  subject: string | null;
  body: string;
  /** JSON array of `{ fileName, contentType, size, sha256 }` (the bytes stay with the documents module). */
  attachments_json: string;
  invoice_id: string | null;
  created_at: number;
}

/** Per-tenant delivery preferences (GET/PUT /api/v1/delivery/settings); defaults apply without a row. */
export interface DeliverySettingsTable {
  tenant_id: string;
  email_on_issue: DbBool;
  sms_on_issue: DbBool;
  attach_ofd: DbBool;
  attach_xml: DbBool;
  updated_at: number;
}

export type WebhookDelivery = Selectable<WebhookDeliveryTable>;
export type WebhookAttempt = Selectable<WebhookAttemptTable>;
export type BuyerDelivery = Selectable<BuyerDeliveryTable>;
export type OutboxMessage = Selectable<OutboxMessageTable>;

/**
 * The re-send limit's counter of one invoice: the start times (epoch ms) of its recent manual re-sends, a JSON array
 * charged by one conditional upsert (buyer-deliveries.repo.ts `chargeResend`).
 */
export interface DeliveryResendCounterTable {
  tenant_id: string;
  invoice_id: string;
  times: string;
  updated_at: number;
}

/** The delivery module's tables (composed into Database). */
export interface DeliveryTables {
  webhook_deliveries: WebhookDeliveryTable;
  webhook_attempts: WebhookAttemptTable;
  buyer_deliveries: BuyerDeliveryTable;
  outbox_messages: OutboxMessageTable;
  delivery_settings: DeliverySettingsTable;
  delivery_resend_counters: DeliveryResendCounterTable;
}
