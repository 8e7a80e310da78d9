import { toIsoCst } from '../../platform/clock.js';
import type { Deps } from '../../platform/deps.js';
import { isAppError } from '../../platform/errors/app-error.js';
import type { DomainEvent } from '../../platform/events.js';
import { getInvoiceOrThrow, type Invoice, toInvoiceView } from '../invoicing/index.js';
import { invoiceFileLinks } from './invoice-files.js';

/** Version of the webhook payload envelope; bumped only for incompatible changes. */
export const WEBHOOK_PAYLOAD_VERSION = 1;

/** What a webhook says about an event's subject, and who owns it. */
export interface EventSource {
  businessSystemCode: string | null;
  invoiceSerialNo: string | null;
  data: Record<string, unknown>;
}

export type SourceLoader = (deps: Deps, event: DomainEvent) => Promise<EventSource | null>;

/**
 * Turns a stored webhook body back into the body that is sent. A family whose payload carries a bearer secret (a scan
 * order's `/s/{token}` link) stores a reference in its place in `webhook_deliveries.payload` and puts the secret back
 * here, at send time: every attempt still sends (and signs) the same bytes, and the table never holds the secret.
 */
export type BodyResolver = (
  deps: Deps,
  delivery: { tenantId: string; subjectId: string; payload: string },
) => Promise<string>;

async function loadInvoice(deps: Deps, event: DomainEvent): Promise<Invoice | null> {
  const serialNo = event.data?.serialNo;
  if (typeof serialNo !== 'string') return null;
  try {
    return await getInvoiceOrThrow(deps, event.tenantId, serialNo);
  } catch (err) {
    if (isAppError(err) && err.statusCode === 404) return null;
    throw err;
  }
}

/** Invoice events: `data` is the invoice as GET /api/v1/invoices/{serialNo} shows it, plus file links. */
const invoiceSource: SourceLoader = async (deps, event) => {
  const invoice = await loadInvoice(deps, event);
  if (!invoice) return null;
  const view = await toInvoiceView(deps.db.kysely, invoice);
  const files = await invoiceFileLinks(deps, invoice);
  const extra = typeof event.data?.redInvoiceId === 'string' ? { redInvoiceId: event.data.redInvoiceId } : {};
  return {
    businessSystemCode: invoice.business_system_code,
    invoiceSerialNo: invoice.serial_no,
    data: { ...view, downloadLinks: files, ...extra },
  };
};

/**
 * How each event family is turned into a payload, by the prefix of its type. Other modules add theirs with
 * {@link registerEventSource} (scan-to-invoice adds `order.`: 按单, the order with every invoice of it).
 */
const SOURCES = new Map<string, SourceLoader>([['invoice', invoiceSource]]);
const RESOLVERS = new Map<string, BodyResolver>();

const familyOf = (eventType: string) => eventType.split('.')[0] ?? '';

/**
 * Lets a module describe its own events to webhooks (`prefix` = the part of the event type before the dot), and, when
 * its payload stores references instead of secrets, how to put them back at send time ({@link BodyResolver}).
 */
export function registerEventSource(prefix: string, loader: SourceLoader, resolveBody?: BodyResolver): void {
  SOURCES.set(prefix, loader);
  if (resolveBody) RESOLVERS.set(prefix, resolveBody);
  else RESOLVERS.delete(prefix);
}

/** The body a delivery sends: its stored payload with any references resolved by the event family. */
export async function resolveWebhookBody(
  deps: Deps,
  delivery: { event_type: string; tenant_id: string; subject_id: string; payload: string },
): Promise<string> {
  const resolve = RESOLVERS.get(familyOf(delivery.event_type));
  if (!resolve) return delivery.payload;
  return resolve(deps, { tenantId: delivery.tenant_id, subjectId: delivery.subject_id, payload: delivery.payload });
}

/** The subject of an event as a webhook shows it; null when it no longer exists or the family is unknown. */
export async function loadEventSource(deps: Deps, event: DomainEvent): Promise<EventSource | null> {
  const loader = SOURCES.get(familyOf(event.type));
  return loader ? loader(deps, event) : null;
}

/** The JSON body every attempt of every delivery of this event sends: `{ id, type, createdAt, version, data }`. */
export function buildWebhookBody(event: DomainEvent, source: EventSource): string {
  return JSON.stringify({
    id: event.id,
    type: event.type,
    createdAt: toIsoCst(event.occurredAt),
    version: WEBHOOK_PAYLOAD_VERSION,
    data: source.data,
  });
}
