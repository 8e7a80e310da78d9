import type { Deps } from '../../../platform/deps.js';
import { isAppError } from '../../../platform/errors/app-error.js';
import type { DomainEvent } from '../../../platform/events.js';
import { getInvoiceOrThrow } from '../../invoicing/index.js';
import { hasBatch } from '../buyer-deliveries.repo.js';
import type { BuyerChannel } from '../delivery.tables.js';
import { getDeliverySettings } from '../delivery-settings.js';
import { buyerContacts, enqueueBuyerDeliveries } from '../enqueue-buyer-delivery.js';

/**
 * `delivery/deliver-to-buyer` (on `invoice.issued`): enqueues the e-mail to `buyer.email` and the SMS to
 * `buyer.mobile` of the invoice request, as the tenant's settings allow. The event id is the batch id, so a retry
 * of this task adds nothing.
 */
export async function runDeliverToBuyer(deps: Deps, event: DomainEvent): Promise<void> {
  const serialNo = event.data?.serialNo;
  if (typeof serialNo !== 'string') return;
  const invoice = await getInvoiceOrThrow(deps, event.tenantId, serialNo).catch((err: unknown) => {
    if (isAppError(err) && err.statusCode === 404) return null;
    throw err;
  });
  if (!invoice) return;
  const contacts = buyerContacts(invoice);
  const settings = await getDeliverySettings(deps.db.kysely, event.tenantId);
  const recipients: Array<{ channel: BuyerChannel; recipient: string }> = [];
  if (contacts.email && settings.emailOnIssue) recipients.push({ channel: 'email', recipient: contacts.email });
  if (contacts.mobile && settings.smsOnIssue) recipients.push({ channel: 'sms', recipient: contacts.mobile });
  if (recipients.length === 0) return;
  await deps.db.kysely.transaction().execute(async (trx) => {
    if (await hasBatch(trx, event.tenantId, event.id)) return;
    await enqueueBuyerDeliveries(deps, trx, { invoice, batchId: event.id, trigger: 'issued', recipients });
  });
  deps.jobs.notify();
}
