import type { Deps } from '../../platform/deps.js';
import { AppError, isAppError } from '../../platform/errors/app-error.js';
import { type InvoiceKind, validateInvoiceDraft } from '../../tax/index.js';
import { type AuditMeta, appendAudit, scheduleAuditSealer } from '../audit/index.js';
import {
  createInvoice,
  type InvoiceOrigin,
  type InvoiceRequestData,
  loadTaxCodeTable,
  taxViolationsError,
} from '../invoicing/index.js';
import { getSellerOrThrow } from '../orgs/index.js';
import { RESERVATION_LINES_REQUIRED, RESERVATION_NOT_FOUND, RESERVATION_NOT_OPEN } from './counter.errors.js';
import type { Reservation } from './counter.tables.js';
import { defaultLines, entryRemark } from './reservation-config.js';
import { findQrById, qrConfig } from './reservation-qrs.js';
import { announceReservationChange } from './reservation-signals.js';
import { findReservationById, updateReservationById, updateReservationIf } from './reservations.repo.js';
import {
  type IssuedContent,
  reservationEntryJson,
  reservationLinesJson,
  reservationTitleJson,
  type StoredTitle,
} from './stored-json.js';

/** The origin of the invoices reservations create: the ones this module follows (counter.tasks.ts). */
export const RESERVATION_ORIGIN: InvoiceOrigin = 'counter_reservation';

export interface IssueInput {
  kind?: InvoiceKind;
  lines?: InvoiceRequestData['lines'];
  remark?: string;
}

export async function getReservationOrThrow(deps: Deps, tenantId: string, id: string): Promise<Reservation> {
  const r = await findReservationById(deps.db.kysely, id);
  if (!r || r.tenant_id !== tenantId) throw new AppError(RESERVATION_NOT_FOUND);
  return r;
}

/** The invoice request of a reservation's title and the clerk's content. */
function toRequest(r: Reservation, title: StoredTitle, content: IssuedContent): InvoiceRequestData {
  const optional = (['taxId', 'address', 'phone', 'bankName', 'bankAccount'] as const).filter((f) => title[f]);
  return {
    kind: content.kind as InvoiceRequestData['kind'],
    seller: { taxId: r.seller_tax_id },
    buyer: {
      name: title.name,
      ...Object.fromEntries(optional.map((f) => [f, title[f]])),
      naturalPerson: title.buyerType === 'personal',
      ...(title.email ? { email: title.email } : {}),
      ...(title.mobile ? { mobile: title.mobile } : {}),
    },
    lines: content.lines,
    ...(content.remark ? { remark: content.remark } : {}),
  };
}

/**
 * Issues a reservation, exactly once: the tax rules check the invoice first (422, the reservation unchanged), then
 * a compare-and-set moves it `submitted`/`failed` → `invoicing` with the content (audited `counter.reservations.issue`
 * in the same transaction), then the invoice request is created through invoicing with the serial number derived
 * from the reservation (`R-…`: a retry or a second clerk finds the same invoice). The buyer's e-mail and mobile go
 * with the request, so delivery sends the invoice when it is issued. Calling it again on an `invoicing`
 * reservation whose request was not created yet (a crash between the two) creates it with the stored content.
 */
export async function issueReservation(
  deps: Deps,
  tenantId: string,
  id: string,
  input: IssueInput,
  meta?: AuditMeta,
): Promise<Reservation> {
  const db = deps.db.kysely;
  const r = await getReservationOrThrow(deps, tenantId, id);
  const title = reservationTitleJson.decode(r.buyer_json);
  const serialNo = r.invoice_serial_no!;
  let content: IssuedContent;
  if (r.status === 'invoicing' && r.invoice_id === null && r.lines_json) {
    content = reservationLinesJson.decode(r.lines_json);
  } else if (r.status === 'submitted' || r.status === 'failed') {
    const qr = (await findQrById(deps, r.qr_id))!;
    const entry = reservationEntryJson.decode(r.entry_json);
    const lines = input.lines ?? defaultLines(qrConfig(qr), entry);
    if (!lines || lines.length === 0) throw new AppError(RESERVATION_LINES_REQUIRED);
    const remark = input.remark ?? entryRemark(entry);
    content = { kind: input.kind ?? title.kind, lines, ...(remark ? { remark } : {}) };
    const request = toRequest(r, title, content);
    const seller = await getSellerOrThrow(db, tenantId, r.seller_tax_id);
    const { email: _e, mobile: _m, ...buyer } = request.buyer;
    const checked = validateInvoiceDraft(
      {
        kind: request.kind,
        seller: { taxId: r.seller_tax_id, name: seller.name },
        buyer,
        lines: request.lines,
        ...(request.remark === undefined ? {} : { remark: request.remark }),
      },
      { taxCodes: await loadTaxCodeTable(db) },
    );
    if (!checked.ok) throw taxViolationsError(checked.violations);
    const totalFen = checked.invoice.totals.totalFen;
    const now = deps.clock.now();
    const set = {
      status: 'invoicing' as const,
      lines_json: reservationLinesJson.encode(content),
      total_fen: totalFen,
      failure_reason: null,
      updated_at: now,
    };
    const moved = await db.transaction().execute(async (trx) => {
      if (!(await updateReservationIf(trx, r.id, ['submitted', 'failed'], set))) return false;
      if (meta) {
        await appendAudit({ db: trx, clock: deps.clock }, meta, {
          action: 'counter.reservations.issue',
          target: { type: 'counter_reservation', id: r.id },
          before: { status: r.status },
          after: { status: 'invoicing', invoiceSerialNo: serialNo },
        });
        await scheduleAuditSealer({ db: trx, clock: deps.clock, jobs: deps.jobs });
      }
      return true;
    });
    // Another clerk moved it first: theirs is the one issue.
    if (!moved) return (await findReservationById(db, r.id))!;
    await announceReservationChange(deps, tenantId);
  } else if (r.status === 'rejected' || r.status === 'expired') {
    throw new AppError(RESERVATION_NOT_OPEN);
  } else {
    return r; // invoicing with its invoice, or invoiced: nothing to do
  }
  try {
    const { invoice } = await createInvoice(deps, {
      tenantId,
      origin: RESERVATION_ORIGIN,
      serialNo,
      data: toRequest(r, title, content),
      ...(meta ? { audit: meta } : {}),
    });
    await updateReservationById(db, r.id, { invoice_id: invoice.id, updated_at: deps.clock.now() });
    deps.jobs.notify();
  } catch (err) {
    if (!isAppError(err) || err.statusCode >= 500) throw err; // transient: issuing again retries
    await updateReservationIf(db, r.id, ['invoicing'], {
      status: 'failed',
      failure_reason: err.message,
      updated_at: deps.clock.now(),
    });
    await announceReservationChange(deps, tenantId);
    throw err;
  }
  return (await findReservationById(db, r.id))!;
}

/** 拒绝: a submitted (or failed) reservation is closed with the clerk's reason, shown on the consumer's page. */
export async function rejectReservation(
  deps: Deps,
  tenantId: string,
  id: string,
  reason: string,
  meta?: AuditMeta,
): Promise<Reservation> {
  const db = deps.db.kysely;
  const r = await getReservationOrThrow(deps, tenantId, id);
  if (r.status === 'rejected') return r;
  const moved = await db.transaction().execute(async (trx) => {
    const won = await updateReservationIf(trx, r.id, ['submitted', 'failed'], {
      status: 'rejected',
      reject_reason: reason,
      updated_at: deps.clock.now(),
    });
    if (won && meta) {
      await appendAudit({ db: trx, clock: deps.clock }, meta, {
        action: 'counter.reservations.reject',
        target: { type: 'counter_reservation', id: r.id },
        before: { status: r.status },
        after: { status: 'rejected', reason },
      });
      await scheduleAuditSealer({ db: trx, clock: deps.clock, jobs: deps.jobs });
    }
    return won;
  });
  if (!moved) {
    const now = (await findReservationById(db, r.id))!;
    if (now.status === 'rejected') return now;
    throw new AppError(RESERVATION_NOT_OPEN);
  }
  await announceReservationChange(deps, tenantId);
  return (await findReservationById(db, r.id))!;
}
