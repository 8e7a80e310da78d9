import type { Kysely } from 'kysely';
import { toIsoCst } from '../../../platform/clock.js';
import type { Database } from '../../../platform/db/database.js';
import { findReceivedInvoicesByIds } from '../../collection/index.js';
import type { Voucher } from '../assistant.tables.js';
import { invoiceSummary } from '../bills/bill-view.js';
import { findBillsByPks } from '../bills/bills.repo.js';
import { findVoucherInvoices } from './vouchers.repo.js';

export function toVoucherSummary(v: Voucher) {
  return {
    resource: v.resource,
    vouchId: v.vouch_id,
    vouchNo: v.vouch_no,
    accountDate: v.account_date,
    accountTime: v.account_time,
    businessDate: v.business_date,
    invoiceCount: Number(v.invoice_count),
    createdAt: toIsoCst(Number(v.created_at)),
    updatedAt: toIsoCst(Number(v.updated_at)),
  };
}

/** A voucher with the invoices it books (and the bill each came through). */
export async function toVoucherView(db: Kysely<Database>, v: Voucher) {
  const rows = await findVoucherInvoices(db, v.tenant_id, v.id);
  const billPks = [...new Set(rows.map((r) => r.bill_pk).filter((pk): pk is string => pk !== null))];
  const [items, bills] = await Promise.all([
    findReceivedInvoicesByIds(
      db,
      v.tenant_id,
      rows.map((r) => r.received_invoice_id),
    ),
    findBillsByPks(db, v.tenant_id, billPks),
  ]);
  const itemOf = new Map(items.map((i) => [i.id, i]));
  const billOf = new Map(bills.map((b) => [b.id, b]));
  return {
    ...toVoucherSummary(v),
    invoices: rows.map((r) => {
      const bill = r.bill_pk ? billOf.get(r.bill_pk) : undefined;
      return {
        invoiceId: r.received_invoice_id,
        billId: bill?.bill_id ?? null,
        billNo: bill?.bill_no ?? null,
        invoice: invoiceSummary(itemOf.get(r.received_invoice_id)),
      };
    }),
  };
}

export type VoucherView = Awaited<ReturnType<typeof toVoucherView>>;
