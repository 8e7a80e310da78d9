import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/database.js';
import { fenToDecimalString, USAGE_STATUSES, type UsageStatus, usageStatusOf } from '../../../tax/index.js';
import { type ReceivedInvoice, type ReceivedUsage, setReceivedUsage } from '../../collection/index.js';
import { findBookings } from '../vouchers/vouchers.repo.js';
import { findBindingsOfInvoices, findClaims } from './bills.repo.js';

/**
 * What is done with received invoices (报销状态), from the bills and vouchers: `booked` when a voucher books it,
 * `claimed` when any bill binds it, else `unused`; the bills with the amount each claims, the voucher. Items no bill
 * or voucher knows are absent from the map.
 */
export async function usageOf(
  db: Kysely<Database>,
  tenantId: string,
  receivedInvoiceIds: readonly string[],
): Promise<Map<string, Omit<ReceivedUsage, 'remaining'>>> {
  const ids = [...new Set(receivedInvoiceIds)];
  const out = new Map<string, Omit<ReceivedUsage, 'remaining'>>();
  if (ids.length === 0) return out;
  const [claims, bindings, bookings] = await Promise.all([
    findClaims(db, tenantId, ids),
    findBindingsOfInvoices(db, tenantId, ids),
    findBookings(db, tenantId, ids),
  ]);
  const claimOf = new Map(claims.map((c) => [c.received_invoice_id, c]));
  const bookingOf = new Map(bookings.map((b) => [b.received_invoice_id, b]));
  const billsOf = new Map<string, ReceivedUsage['bills'][number][]>();
  for (const b of bindings) {
    const list = billsOf.get(b.received_invoice_id) ?? [];
    list.push({
      resource: b.resource,
      billId: b.bill_id,
      billNo: b.bill_no,
      amount: fenToDecimalString(Number(b.amount_fen)),
      status: b.status,
    });
    billsOf.set(b.received_invoice_id, list);
  }
  for (const id of ids) {
    const claim = claimOf.get(id);
    const booking = bookingOf.get(id);
    const bills = billsOf.get(id) ?? [];
    if (!claim && !booking && bills.length === 0) continue;
    const claimed = claim ? Number(claim.claimed_fen) : 0;
    out.set(id, {
      status: usageStatusOf({ booked: booking !== undefined, billCount: bills.length }),
      claimed: fenToDecimalString(claimed),
      bills,
      voucher: booking ? { resource: booking.resource, vouchId: booking.vouch_id, vouchNo: booking.vouch_no } : null,
    });
  }
  return out;
}

/**
 * Writes the usage status of invoices as their bindings and bookings say now ({@link usageStatusOf}), in the caller's
 * transaction — only where it changes. `locked`: the live items as the caller locked them (lockReceivedInvoices)
 * before changing bindings or bookings, so their status read there is current and the bindings read here are final
 * for this transaction: concurrent bill and voucher saves cannot leave a status that disagrees with them.
 */
export async function syncUsage(
  trx: Kysely<Database>,
  tenantId: string,
  locked: ReadonlyArray<Pick<ReceivedInvoice, 'id' | 'usage_status'>>,
): Promise<void> {
  const current = new Map(locked.map((i) => [i.id, i.usage_status]));
  const ids = [...current.keys()].sort();
  if (ids.length === 0) return;
  const [bindings, bookings] = await Promise.all([
    findBindingsOfInvoices(trx, tenantId, ids),
    findBookings(trx, tenantId, ids),
  ]);
  const billCount = new Map<string, number>();
  for (const b of bindings) billCount.set(b.received_invoice_id, (billCount.get(b.received_invoice_id) ?? 0) + 1);
  const booked = new Set(bookings.map((b) => b.received_invoice_id));
  const byStatus = new Map<UsageStatus, string[]>(USAGE_STATUSES.map((s) => [s, []]));
  for (const id of ids) {
    const status = usageStatusOf({ booked: booked.has(id), billCount: billCount.get(id) ?? 0 });
    if (status !== current.get(id)) byStatus.get(status)!.push(id);
  }
  for (const [status, list] of byStatus) if (list.length > 0) await setReceivedUsage(trx, tenantId, list, status);
}
