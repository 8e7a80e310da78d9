import type { Deps } from '../../../platform/deps.js';
import { AppError } from '../../../platform/errors/app-error.js';
import type { AuditMeta } from '../../audit/index.js';
import { lockReceivedInvoices } from '../../collection/index.js';
import { findBookings } from '../vouchers/vouchers.repo.js';
import { publishBillEvent } from './bill-events.js';
import { BILL_INVOICE_BOOKED, BILL_NOT_FOUND } from './bills.errors.js';
import { applyClaimDelta, deleteBillInvoices, deleteBillRow, findBill, findBillInvoices } from './bills.repo.js';
import { inTransaction } from './in-transaction.js';
import { syncUsage } from './usage.js';

/**
 * Deletes a bill: every binding is released (claim counters decremented, invoices no other bill binds are `unused`
 * again) and `bill.deleted` published, in one transaction. 404 when absent; 409 when a voucher books one of its
 * invoices.
 */
export async function deleteBill(
  deps: Deps,
  input: { tenantId: string; resource: string; billId: string; audit?: AuditMeta },
): Promise<void> {
  const { tenantId } = input;
  const now = deps.clock.now();
  await inTransaction(
    deps,
    input.audit,
    async (trx) => {
      // Lock order as in saveBill: the bill row, its invoices, the claim counters.
      const bill = await findBill(trx, tenantId, input.resource, input.billId, deps.db.dialect);
      if (!bill) throw new AppError(BILL_NOT_FOUND);
      const bindings = await findBillInvoices(trx, tenantId, [bill.id]);
      const ids = bindings.map((b) => b.received_invoice_id);
      const locked = await lockReceivedInvoices(trx, deps.db.dialect, tenantId, ids);
      const bookings = await findBookings(trx, tenantId, ids);
      const booked = bookings[0];
      if (booked) {
        throw new AppError(BILL_INVOICE_BOOKED, undefined, {
          invoiceId: booked.received_invoice_id,
          vouchId: booked.vouch_id,
        });
      }
      await deleteBillInvoices(trx, tenantId, bill.id);
      await deleteBillRow(trx, tenantId, bill.id);
      const snapshot = bindings.map((b) => ({ invoiceId: b.received_invoice_id, amountFen: Number(b.amount_fen) }));
      await publishBillEvent(deps, trx, 'bill.deleted', bill, snapshot, now);
      for (const b of bindings) {
        await applyClaimDelta(trx, {
          tenantId,
          invoiceId: b.received_invoice_id,
          totalFen: null,
          delta: -Number(b.amount_fen),
          billDelta: -1,
          now,
        });
      }
      await syncUsage(trx, tenantId, locked);
      return { bill, bindings };
    },
    ({ bill, bindings }) => ({
      action: 'bill.delete',
      target: { type: 'bill', id: bill.id },
      before: {
        resource: bill.resource,
        billId: bill.bill_id,
        status: bill.status,
        invoices: bindings.map((b) => ({ id: b.received_invoice_id, fen: b.amount_fen })),
      },
      after: null,
    }),
  );
}
