import type { Transaction } from 'kysely';
import type { Database } from '../../platform/db/database.js';
import type { Deps } from '../../platform/deps.js';
import { newId } from '../../platform/ids.js';
import { decodeStoredBuyer, type Invoice } from '../invoicing/index.js';
import { insertBuyerDelivery } from './buyer-deliveries.repo.js';
import type { BuyerChannel, BuyerDelivery } from './delivery.tables.js';

/** The buyer's delivery addresses as given in the invoice request (`buyer.email`, `buyer.mobile`). */
export function buyerContacts(invoice: Pick<Invoice, 'buyer_json'>): { email: string | null; mobile: string | null } {
  const buyer = decodeStoredBuyer(invoice.buyer_json);
  return {
    email: typeof buyer.email === 'string' && buyer.email !== '' ? buyer.email : null,
    mobile: typeof buyer.mobile === 'string' && buyer.mobile !== '' ? buyer.mobile : null,
  };
}

const TASKS = { email: 'delivery/send-invoice-email', sms: 'delivery/send-invoice-sms' } as const;

/**
 * Creates one buyer delivery per recipient and enqueues its send job, in the caller's transaction (nothing is
 * sent here). Jobs are keyed by the delivery id, so a retried transaction cannot send twice.
 */
export async function enqueueBuyerDeliveries(
  deps: Deps,
  trx: Transaction<Database>,
  input: {
    invoice: Pick<Invoice, 'id' | 'tenant_id' | 'serial_no'>;
    batchId: string;
    trigger: BuyerDelivery['trigger'];
    recipients: Array<{ channel: BuyerChannel; recipient: string }>;
  },
): Promise<BuyerDelivery[]> {
  const now = deps.clock.now();
  const rows: BuyerDelivery[] = [];
  for (const { channel, recipient } of input.recipients) {
    const row: BuyerDelivery = {
      id: newId('bdl', now),
      tenant_id: input.invoice.tenant_id,
      invoice_id: input.invoice.id,
      invoice_serial_no: input.invoice.serial_no,
      batch_id: input.batchId,
      trigger: input.trigger,
      channel,
      recipient,
      status: 'pending',
      transport: null,
      message_id: null,
      attempts: 0,
      last_error: null,
      created_at: now,
      sent_at: null,
    };
    await insertBuyerDelivery(trx, row);
    await deps.jobs.enqueue(trx, TASKS[channel], { buyerDeliveryId: row.id }, { tenantId: row.tenant_id });
    rows.push(row);
  }
  return rows;
}
