import type { Transaction } from 'kysely';
import type { Database } from '../../platform/db/database.js';
import type { Deps } from '../../platform/deps.js';
import { AppError } from '../../platform/errors/app-error.js';
import { RATE_LIMITED } from '../../platform/errors/platform.errors.js';
import { newId } from '../../platform/ids.js';
import { type AuditMeta, appendAudit, scheduleAuditSealer } from '../audit/index.js';
import { getInvoiceOrThrow, type Invoice, wasIssued } from '../invoicing/index.js';
import { lockResendsOfInvoice, manualBatchTimes } from './buyer-deliveries.repo.js';
import { DELIVERY_NO_RECIPIENT, INVOICE_NOT_DELIVERABLE } from './delivery.errors.js';
import type { BuyerChannel, BuyerDelivery } from './delivery.tables.js';
import { buyerContacts, enqueueBuyerDeliveries } from './enqueue-buyer-delivery.js';

/** Re-sends allowed per invoice per {@link RESEND_WINDOW_MS}. */
export const RESEND_LIMIT = 5;
/** The rate limit's sliding window: one hour. */
export const RESEND_WINDOW_MS = 3600_000;

async function assertWithinLimit(deps: Deps, trx: Transaction<Database>, invoice: Invoice): Promise<void> {
  const now = deps.clock.now();
  const times = await manualBatchTimes(trx, invoice.tenant_id, invoice.id, now - RESEND_WINDOW_MS);
  if (times.length < RESEND_LIMIT) return;
  const retryAfter = Math.max(1, Math.ceil(((times[0] ?? now) + RESEND_WINDOW_MS - now) / 1000));
  throw new AppError(
    RATE_LIMITED,
    `该发票一小时内最多重发 ${RESEND_LIMIT} 次`,
    { retryAfterSeconds: retryAfter },
    {
      headers: { 'retry-after': String(retryAfter) },
    },
  );
}

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
  // Check and insert in one transaction, serialized per invoice: concurrent re-sends cannot all pass the check.
  const deliveries = await deps.db.kysely.transaction().execute(async (trx) => {
    await lockResendsOfInvoice(trx, deps.db.dialect, invoice.id);
    await assertWithinLimit(deps, trx, invoice);
    const enqueued = await enqueueBuyerDeliveries(deps, trx, {
      invoice,
      batchId: newId('bat', deps.clock.now()),
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
    return enqueued;
  });
  deps.jobs.notify();
  return { invoice, deliveries };
}
