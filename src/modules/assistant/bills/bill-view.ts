import type { Kysely } from 'kysely';
import { toIsoCst } from '../../../platform/clock.js';
import type { Database } from '../../../platform/db/database.js';
import { fenToDecimalString, RECEIVED_INVOICE_KIND_NAMES, type ReceivedInvoiceKind } from '../../../tax/index.js';
import { findReceivedInvoicesByIds, type ReceivedInvoice } from '../../collection/index.js';
import type { Bill, BillInvoice } from '../assistant.tables.js';
import { findBookings } from '../vouchers/vouchers.repo.js';
import { findBill, findBillInvoices } from './bills.repo.js';
import { billAlertsJson, billCoverJson, billExtJson } from './stored-json.js';

const money = (fen: number | null) => (fen === null ? null : fenToDecimalString(Number(fen)));

/** A bill's status names (Kingdee codes 1 / 30 / 60). */
export const BILL_STATUS_NAMES: Record<string, string> = { unused: '未用', in_use: '在用', used: '已用' };

const ALERT_NAMES: Record<string, string> = { red_reversed: '已红冲', partly_red: '部分红冲', void: '作废' };

/** A bill in lists (no invoices). */
export function toBillSummary(bill: Bill) {
  return {
    resource: bill.resource,
    billId: bill.bill_id,
    billNo: bill.bill_no,
    billType: bill.bill_type,
    billTaxNo: bill.bill_tax_no,
    status: bill.status,
    statusName: BILL_STATUS_NAMES[bill.status] ?? bill.status,
    cover: bill.cover_json === null ? null : billCoverJson.decode(bill.cover_json),
    alerts: (bill.alerts_json === null ? [] : billAlertsJson.decode(bill.alerts_json)).map((a) => ({
      invoiceId: a.invoiceId,
      status: a.status,
      message: `发票${ALERT_NAMES[a.status] ?? a.status}`,
      at: toIsoCst(a.at),
    })),
    invoiceCount: Number(bill.invoice_count),
    claimed: fenToDecimalString(Number(bill.claimed_fen)),
    createdAt: toIsoCst(Number(bill.created_at)),
    updatedAt: toIsoCst(Number(bill.updated_at)),
  };
}

export function invoiceSummary(item: ReceivedInvoice | undefined) {
  if (!item) return null;
  return {
    kind: item.kind,
    kindName: RECEIVED_INVOICE_KIND_NAMES[item.kind as ReceivedInvoiceKind] ?? RECEIVED_INVOICE_KIND_NAMES.other,
    code: item.code,
    number: item.number,
    issueDate: item.issue_date,
    sellerName: item.seller_name,
    sellerTaxId: item.seller_tax_id,
    buyerName: item.buyer_name,
    total: money(item.total_fen),
    verificationStatus: item.verification_status,
    complianceResult: item.compliance_result,
    usageStatus: item.usage_status,
  };
}

/** A bill with its invoices (the amount each claims, the expense system's line data, the invoice's summary). */
export async function toBillView(db: Kysely<Database>, bill: Bill, knownBindings?: readonly BillInvoice[]) {
  const bindings = knownBindings ?? (await findBillInvoices(db, bill.tenant_id, [bill.id]));
  const ids = bindings.map((b) => b.received_invoice_id);
  const [items, bookings] = await Promise.all([
    findReceivedInvoicesByIds(db, bill.tenant_id, ids),
    findBookings(db, bill.tenant_id, ids),
  ]);
  const itemOf = new Map(items.map((i) => [i.id, i]));
  const bookingOf = new Map(bookings.map((b) => [b.received_invoice_id, b]));
  return {
    ...toBillSummary(bill),
    invoices: bindings.map((b) => {
      const booking = bookingOf.get(b.received_invoice_id);
      return {
        invoiceId: b.received_invoice_id,
        amount: fenToDecimalString(Number(b.amount_fen)),
        deductionFlag: b.deduction_flag,
        deductionTaxAmount: money(b.deduction_tax_fen),
        outputAmount: money(b.output_amount_fen),
        remark: b.remark,
        entryId: b.entry_id,
        extInfo: b.ext_json === null ? null : billExtJson.decode(b.ext_json),
        invoice: invoiceSummary(itemOf.get(b.received_invoice_id)),
        voucher: booking ? { resource: booking.resource, vouchId: booking.vouch_id, vouchNo: booking.vouch_no } : null,
      };
    }),
  };
}

export type BillView = Awaited<ReturnType<typeof toBillView>>;

/** The bill of an expense system's (resource, billId) with its invoices, or null (front door: the assistant pages). */
export async function billOfEvent(
  db: Kysely<Database>,
  tenantId: string,
  resource: string,
  billId: string,
): Promise<BillView | null> {
  const bill = await findBill(db, tenantId, resource, billId);
  return bill ? toBillView(db, bill) : null;
}
