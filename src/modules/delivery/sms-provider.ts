import type { SmsGatewayConfig } from '../../platform/config/load-config.js';
import type { Deps } from '../../platform/deps.js';
import { insertOutboxMessage } from './outbox.repo.js';

/** An SMS to a buyer. */
export interface SmsMessage {
  tenantId: string;
  invoiceId: string;
  to: string;
  text: string;
}

/** Sends SMS. Implementations: the outbox (default) and a generic HTTP gateway; add vendors behind the same shape. */
export interface SmsProvider {
  readonly transport: 'sms_gateway' | 'outbox';
  /** Resolves once the gateway accepted the message; throws (and the job retries) otherwise. */
  send(message: SmsMessage): Promise<{ messageId: string | null }>;
}

const GATEWAY_TIMEOUT_MS = 10_000;

/** Escapes a value for the gateway body's content type: JSON string contents, form fields, or as is. */
function escapeFor(contentType: string, value: string): string {
  if (/json/i.test(contentType)) return JSON.stringify(value).slice(1, -1);
  if (/x-www-form-urlencoded/i.test(contentType)) return encodeURIComponent(value);
  return value;
}

/** Fills `{{to}}` and `{{text}}` in a template. */
export function fillTemplate(template: string, values: { to: string; text: string }, encode: (v: string) => string) {
  return template.replace(/\{\{\s*(to|text)\s*\}\}/g, (_, name: 'to' | 'text') => encode(values[name]));
}

/** A generic HTTP gateway: SMS_GATEWAY_URL/METHOD/CONTENT_TYPE/BODY_TEMPLATE/AUTH_HEADER. 2xx = accepted. */
export function createHttpSmsProvider(gateway: SmsGatewayConfig): SmsProvider {
  return {
    transport: 'sms_gateway',
    async send(message) {
      const values = { to: message.to, text: message.text };
      const url = fillTemplate(gateway.url, values, encodeURIComponent);
      const headers: Record<string, string> = { 'user-agent': 'OpenFapiao-SMS/1' };
      if (gateway.authHeader) headers[gateway.authHeader[0]] = gateway.authHeader[1];
      let body: string | undefined;
      if (gateway.method !== 'GET') {
        body = fillTemplate(gateway.bodyTemplate, values, (v) => escapeFor(gateway.contentType, v));
        headers['content-type'] = gateway.contentType;
      }
      const res = await fetch(url, {
        method: gateway.method,
        headers,
        body,
        redirect: 'error',
        signal: AbortSignal.timeout(GATEWAY_TIMEOUT_MS),
      });
      const text = (await res.text()).slice(0, 500);
      if (!res.ok) throw new Error(`SMS gateway answered ${res.status}: ${text}`);
      return { messageId: res.headers.get('x-message-id') };
    },
  };
}

function createOutboxSmsProvider(deps: Pick<Deps, 'db' | 'clock'>): SmsProvider {
  return {
    transport: 'outbox',
    async send(message) {
      const messageId = await insertOutboxMessage(deps.db.kysely, {
        tenantId: message.tenantId,
        channel: 'sms',
        recipient: message.to,
        subject: null,
        body: message.text,
        attachments: [],
        invoiceId: message.invoiceId,
        now: deps.clock.now(),
      });
      return { messageId };
    },
  };
}

/** The SMS provider the configuration asks for (SMS_GATEWAY_URL set → HTTP gateway, else the outbox). */
export function createSmsProvider(deps: Pick<Deps, 'db' | 'clock' | 'config'>): SmsProvider {
  const gateway = deps.config.delivery.smsGateway;
  return gateway ? createHttpSmsProvider(gateway) : createOutboxSmsProvider(deps);
}
