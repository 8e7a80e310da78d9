import type { Transaction } from 'kysely';
import type { Database } from '../../platform/db/database.js';
import type { Deps } from '../../platform/deps.js';
import type { AfterCommitDispatch } from '../../platform/jobs-runtime.js';
import type { Invoice } from './invoicing.tables.js';
import { decodeStoredBuyer } from './stored-json.js';

/** Public invoice events (webhooks carry these names; docs/webhooks.md). */
export const INVOICE_EVENTS = ['invoice.issued', 'invoice.failed', 'invoice.reversed'] as const;
export type InvoiceEvent = (typeof INVOICE_EVENTS)[number];

/**
 * Publishes an invoice event in the transaction that made the change. The key makes each transition publish once:
 * issued once per invoice, failed once per revision, reversed once per red invoice. `invoice.issued` also carries the
 * invoice's number and total (`number`, `totalFen`), so a subscriber that only needs those reads nothing (scan's
 * `scan/invoice-settled`); pass the invoice as issued.
 */
export async function publishInvoiceEvent(
  deps: Deps,
  trx: Transaction<Database>,
  type: InvoiceEvent,
  invoice: Pick<
    Invoice,
    | 'id'
    | 'tenant_id'
    | 'serial_no'
    | 'origin'
    | 'revision'
    | 'buyer_json'
    | 'business_system_code'
    | 'number'
    | 'total_fen'
  >,
  extra: { redInvoiceId?: string } = {},
  dispatch?: AfterCommitDispatch,
): Promise<void> {
  const key =
    type === 'invoice.issued'
      ? `${type}:${invoice.id}`
      : type === 'invoice.failed'
        ? `${type}:${invoice.id}:${invoice.revision}`
        : `${type}:${invoice.id}:${extra.redInvoiceId ?? ''}`;
  await deps.events.publish(
    trx,
    {
      type,
      tenantId: invoice.tenant_id,
      subjectId: invoice.id,
      key,
      data: {
        serialNo: invoice.serial_no,
        origin: invoice.origin,
        businessSystemCode: invoice.business_system_code,
        hasBuyerContact: hasBuyerContact(invoice.buyer_json),
        ...(type === 'invoice.issued' && invoice.number !== null
          ? { number: invoice.number, totalFen: invoice.total_fen }
          : {}),
        ...(extra.redInvoiceId ? { redInvoiceId: extra.redInvoiceId } : {}),
      },
    },
    dispatch,
  );
}

/** Whether the request gave the buyer an e-mail address or a mobile number to deliver to. */
function hasBuyerContact(buyerJson: string): boolean {
  const buyer = decodeStoredBuyer(buyerJson);
  return Boolean(buyer.email || buyer.mobile);
}
