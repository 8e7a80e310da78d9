import type { Deps } from '../../platform/deps.js';
import { AppError } from '../../platform/errors/app-error.js';
import { RATE_LIMITED } from '../../platform/errors/platform.errors.js';
import { newId } from '../../platform/ids.js';
import { type AuditMeta, appendAudit, scheduleAuditSealer } from '../audit/index.js';
import { getInvoiceOrThrow, type Invoice, wasIssued } from '../invoicing/index.js';
import { chargeResend, resendTimes } from './buyer-deliveries.repo.js';
import { DELIVERY_NO_RECIPIENT, INVOICE_NOT_DELIVERABLE } from './delivery.errors.js';
import type { BuyerChannel, BuyerDelivery } from './delivery.tables.js';
import { buyerContacts, enqueueBuyerDeliveries } from './enqueue-buyer-delivery.js';

/** Re-sends allowed per invoice per {@link RESEND_WINDOW_MS}. */
export const RESEND_LIMIT = 5;
/** The rate limit's sliding window: one hour. */
export const RESEND_WINDOW_MS = 3600_000;

/** The refusal of a re-send over the limit, with when the oldest one in the window leaves it. */
async function overLimit(deps: Deps, invoice: Invoice, now: number): Promise<AppError> {
  const times = await resendTimes(deps.db.kysely, invoice.tenant_id, invoice.id, now - RESEND_WINDOW_MS);
  const retryAfter = Math.max(1, Math.ceil(((times[0] ?? now) + RESEND_WINDOW_MS - now) / 1000));
  return new AppError(
    RATE_LIMITED,
    `该发票一小时内最多重发 ${RESEND_LIMIT} 次`,
    { retryAfterSeconds: retryAfter },
    {
      headers: { 'retry-after': String(retryAfter) },
    },
  );
}

/** Rolls the re-send's transaction back when its charge was refused. */
class ResendRefused extends Error {}

/**
 * `POST /api/v1/invoices/{serialNo}/deliver`: sends the invoice to the buyer again, to the given addresses or else
 * to the ones in the invoice request. Enqueues the sends (nothing is sent from the request); rate-limited per invoice.
 */
export async function resendToBuyer(
  deps: Deps,
  input: { tenantId: string; serialNo: string; email?: string; mobile?: string },
  meta?: AuditMeta,
): Promise<{ invoice: Invoice; deliveries: BuyerDelivery[] }> {
  const invoice = await getInvoiceOrThrow(deps, input.tenantId, input.serialNo);
  if (!wasIssued(invoice.status)) throw new AppError(INVOICE_NOT_DELIVERABLE, undefined, { status: invoice.status });
  const given = input.email !== undefined || input.mobile !== undefined;
  const contacts = given ? { email: input.email ?? null, mobile: input.mobile ?? null } : buyerContacts(invoice);
  const recipients: Array<{ channel: BuyerChannel; recipient: string }> = [];
  if (contacts.email) recipients.push({ channel: 'email', recipient: contacts.email });
  if (contacts.mobile) recipients.push({ channel: 'sms', recipient: contacts.mobile });
  if (recipients.length === 0) throw new AppError(DELIVERY_NO_RECIPIENT);
  // The inserts, then the limit's charge last (one conditional statement on the invoice's counter row, so only the
  // COMMIT follows it): a refused charge rolls the inserts back.
  const now = deps.clock.now();
  let deliveries: BuyerDelivery[];
  try {
    deliveries = await deps.db.kysely.transaction().execute(async (trx) => {
      const enqueued = await enqueueBuyerDeliveries(deps, trx, {
        invoice,
        batchId: newId('bat', now),
        trigger: 'manual',
        recipients,
      });
      if (meta) {
        await appendAudit({ db: trx, clock: deps.clock }, meta, {
          action: 'delivery.buyer.resend',
          target: { type: 'invoice', id: invoice.serial_no },
          after: { recipients },
        });
        await scheduleAuditSealer({ db: trx, clock: deps.clock, jobs: deps.jobs });
      }
      const charged = await chargeResend(trx, deps.db.dialect, {
        tenantId: invoice.tenant_id,
        invoiceId: invoice.id,
        now,
        since: now - RESEND_WINDOW_MS,
        limit: RESEND_LIMIT,
      });
      if (!charged) throw new ResendRefused();
      return enqueued;
    });
  } catch (err) {
    if (err instanceof ResendRefused) throw await overLimit(deps, invoice, now);
    throw err;
  }
  deps.jobs.notify();
  return { invoice, deliveries };
}
