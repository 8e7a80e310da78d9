import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/database.js';
import type { Deps } from '../../../platform/deps.js';
import type { DomainEvent } from '../../../platform/events.js';
import { newId } from '../../../platform/ids.js';
import { fenToDecimalString } from '../../../tax/index.js';
import type { Bill } from '../assistant.tables.js';
import { BILL_STATUS_NAMES } from './bill-view.js';

/**
 * Webhook events of bills and vouchers (docs/webhooks.md), sent to the business system the bill or voucher belongs
 * to (`resource`): `bill.saved`, `bill.deleted`, `bill.invoice_changed` (an invoice of the bill found red-reversed or
 * void after binding), `voucher.saved`, `voucher.deleted`.
 */
export const BILL_EVENTS = ['bill.saved', 'bill.deleted', 'bill.invoice_changed'] as const;
export const VOUCHER_EVENTS = ['voucher.saved', 'voucher.deleted'] as const;
export type BillEvent = (typeof BILL_EVENTS)[number];
export type VoucherEvent = (typeof VOUCHER_EVENTS)[number];

/**
 * Publishes a bill event in the transaction of the change. The event carries the bill as it is then (a deleted bill
 * can no longer be read when the webhook is built).
 */
export async function publishBillEvent(
  deps: Pick<Deps, 'events'>,
  trx: Kysely<Database>,
  type: BillEvent,
  bill: Pick<Bill, 'id' | 'tenant_id' | 'resource' | 'bill_id' | 'bill_no' | 'bill_type' | 'status'>,
  invoices: readonly { invoiceId: string; amountFen: number }[],
  now: number,
  extra: Record<string, unknown> = {},
  key: string = newId('bev', now),
): Promise<void> {
  await deps.events.publish(trx, {
    type,
    tenantId: bill.tenant_id,
    subjectId: bill.id,
    key: `${type}:${bill.id}:${key}`,
    data: {
      businessSystemCode: bill.resource,
      resource: bill.resource,
      billId: bill.bill_id,
      billNo: bill.bill_no,
      billType: bill.bill_type,
      status: bill.status,
      statusName: BILL_STATUS_NAMES[bill.status] ?? bill.status,
      invoices: invoices.map((i) => ({ invoiceId: i.invoiceId, amount: fenToDecimalString(i.amountFen) })),
      ...extra,
    },
  });
}

/** The webhook payload of a bill or voucher event: what the event carries (the state at the change). */
export async function loadBillEventSource(
  _deps: Deps,
  event: DomainEvent,
): Promise<{ businessSystemCode: string | null; invoiceSerialNo: string | null; data: Record<string, unknown> }> {
  const { businessSystemCode, ...data } = event.data ?? {};
  return {
    businessSystemCode: typeof businessSystemCode === 'string' ? businessSystemCode : null,
    invoiceSerialNo: null,
    data,
  };
}
