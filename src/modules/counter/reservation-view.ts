import { toIsoCst } from '../../platform/clock.js';
import type { Deps } from '../../platform/deps.js';
import { fenToDecimalString } from '../../tax/index.js';
import { findInvoiceById } from '../invoicing/index.js';
import type { Reservation, ReservationQr } from './counter.tables.js';
import { defaultLines, entryRemark, entryTotal } from './reservation-config.js';
import { qrConfig } from './reservation-qrs.js';
import { reservationEntryJson, reservationLinesJson, reservationTitleJson } from './stored-json.js';

/** YYYY-MM-DD of an Asia/Shanghai day start. */
export const seqDate = (dayStart: number) => toIsoCst(dayStart).slice(0, 10);

/** The clerk's view of a reservation: the title, what the consumer entered, what issuing would use, the invoice. */
export async function toReservationView(deps: Deps, r: Reservation, qr: ReservationQr) {
  const title = reservationTitleJson.decode(r.buyer_json);
  const entry = reservationEntryJson.decode(r.entry_json);
  const config = qrConfig(qr);
  const issued = r.lines_json ? reservationLinesJson.decode(r.lines_json) : null;
  const invoice = r.invoice_id ? await findInvoiceById(deps.db.kysely, r.invoice_id) : undefined;
  const suggested = defaultLines(config, entry);
  const remark = entryRemark(entry);
  return {
    id: r.id,
    seqNo: r.seq_no,
    seqDate: seqDate(r.seq_day),
    status: r.status,
    qrKey: qr.key,
    qrName: qr.name,
    sellerTaxId: r.seller_tax_id,
    buyer: {
      kind: title.kind,
      buyerType: title.buyerType,
      name: title.name,
      ...(title.taxId ? { taxId: title.taxId } : {}),
      ...(title.address ? { address: title.address } : {}),
      ...(title.phone ? { phone: title.phone } : {}),
      ...(title.bankName ? { bankName: title.bankName } : {}),
      ...(title.bankAccount ? { bankAccount: title.bankAccount } : {}),
    },
    mobile: r.mobile,
    email: r.email,
    entry,
    enteredTotal: entryTotal(config, entry),
    suggestedLines: suggested ?? null,
    suggestedRemark: remark ?? null,
    items: config.items,
    allowedKinds: config.allowedKinds,
    issued: issued ? { kind: issued.kind, lines: issued.lines, remark: issued.remark ?? null } : null,
    total: r.total_fen === null ? null : fenToDecimalString(r.total_fen),
    invoice: invoice
      ? { serialNo: invoice.serial_no, status: invoice.status, number: invoice.number ?? null }
      : r.invoice_serial_no && r.status !== 'submitted' && r.status !== 'rejected' && r.status !== 'expired'
        ? { serialNo: r.invoice_serial_no, status: 'pending', number: null }
        : null,
    rejectReason: r.reject_reason,
    failureReason: r.failure_reason,
    expiresAt: toIsoCst(r.expires_at),
    createdAt: toIsoCst(r.created_at),
    updatedAt: toIsoCst(r.updated_at),
  };
}
