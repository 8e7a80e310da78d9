import type { Deps } from '../../../platform/deps.js';
import { AppError } from '../../../platform/errors/app-error.js';
import { newId } from '../../../platform/ids.js';
import type { AuditMeta } from '../../audit/index.js';
import { findReceivedInvoicesByIds, lockReceivedInvoices } from '../../collection/index.js';
import type { Voucher } from '../assistant.tables.js';
import { findBillInvoices, findBillsByBillIds } from '../bills/bills.repo.js';
import { inTransaction } from '../bills/in-transaction.js';
import { businessSystemOf } from '../bills/save-bill.js';
import { syncUsage } from '../bills/usage.js';
import { publishVoucherEvent } from './voucher-events.js';
import { toVoucherView, type VoucherView } from './voucher-view.js';
import {
  VOUCHER_BILL_NOT_FOUND,
  VOUCHER_INVOICE_BOOKED,
  VOUCHER_INVOICE_NOT_FOUND,
  VOUCHER_NOT_FOUND,
} from './vouchers.errors.js';
import {
  deleteVoucherInvoices,
  deleteVoucherRow,
  findBookings,
  findVoucher,
  findVoucherInvoices,
  insertVoucherInvoices,
  upsertVoucher,
} from './vouchers.repo.js';

export interface SaveVoucherInput {
  tenantId: string;
  resource: string;
  vouchId: string;
  vouchNo?: string;
  accountDate?: string;
  accountTime?: string;
  businessDate?: string;
  invoiceIds: readonly string[];
  billIds: readonly string[];
  audit?: AuditMeta;
}

const sorted = (ids: Iterable<string>) => [...new Set(ids)].sort();

/**
 * voucherSave: the voucher books (已入账) the invoices of the listed bills and the listed invoices, replacing what it
 * booked before, in one transaction; an invoice another voucher books refuses the whole save (409). Invoices no
 * longer booked go back to `claimed` / `unused`. `voucher.saved` is published with the change; the same save again
 * writes nothing.
 */
export async function saveVoucher(
  deps: Deps,
  input: SaveVoucherInput,
): Promise<{ voucher: VoucherView; changed: boolean }> {
  const { tenantId } = input;
  const db = deps.db.kysely;
  const system = await businessSystemOf(db, tenantId, input.resource);
  const fields = {
    vouch_no: input.vouchNo ?? null,
    account_date: input.accountDate ?? null,
    account_time: input.accountTime ?? null,
    business_date: input.businessDate ?? null,
  };
  const now = deps.clock.now();
  const result = await inTransaction(
    deps,
    input.audit,
    async (trx) => {
      const billIds = sorted(input.billIds);
      // The bills are locked first (as billSave locks its bill first): their bindings cannot change until this voucher
      // has booked them, so a bill save cannot release an invoice this voucher is about to book with that bill.
      const bills = await findBillsByBillIds(trx, tenantId, input.resource, billIds, deps.db.dialect);
      if (bills.length < billIds.length) {
        const known = new Set(bills.map((b) => b.bill_id));
        throw new AppError(VOUCHER_BILL_NOT_FOUND, undefined, {
          billIds: billIds.filter((id) => !known.has(id)).slice(0, 20),
        });
      }
      const target = new Map<string, string | null>();
      for (const b of await findBillInvoices(
        trx,
        tenantId,
        bills.map((b) => b.id),
      )) {
        target.set(b.received_invoice_id, b.bill_pk);
      }
      const listed = sorted(input.invoiceIds).filter((id) => !target.has(id));
      const items = await findReceivedInvoicesByIds(trx, tenantId, listed);
      if (items.length < listed.length) {
        const known = new Set(items.map((i) => i.id));
        throw new AppError(VOUCHER_INVOICE_NOT_FOUND, undefined, {
          invoiceIds: listed.filter((id) => !known.has(id)).slice(0, 20),
        });
      }
      for (const id of listed) target.set(id, null);
      // An existing voucher's row is locked here (PostgreSQL `for update`; the lock order stays: bills, voucher,
      // invoices), so what it books, read once now, stays what it books until this transaction ends.
      const existing = await findVoucher(trx, tenantId, input.resource, input.vouchId, deps.db.dialect);
      const oldRows = existing ? await findVoucherInvoices(trx, tenantId, existing.id) : [];
      const old = new Set(oldRows.map((r) => r.received_invoice_id));
      if (
        existing &&
        old.size === target.size &&
        [...old].every((id) => target.has(id)) &&
        existing.vouch_no === fields.vouch_no &&
        existing.account_date === fields.account_date &&
        existing.account_time === fields.account_time &&
        existing.business_date === fields.business_date
      ) {
        return { voucher: existing, changed: false };
      }
      // Lock order of every booking change: the bills named (above), the voucher row (above, or this upsert), then the
      // invoices (ascending).
      const voucher = await upsertVoucher(trx, {
        id: newId('vch', now),
        tenant_id: tenantId,
        business_system_id: system.id,
        resource: input.resource,
        vouch_id: input.vouchId,
        ...fields,
        invoice_count: target.size,
        created_at: now,
        updated_at: now,
      });
      // A voucher new when read above may have been created by a concurrent save meanwhile (the upsert waited for it):
      // what that one booked is read now that the row is locked.
      const before = existing
        ? old
        : new Set((await findVoucherInvoices(trx, tenantId, voucher.id)).map((r) => r.received_invoice_id));
      const added = sorted([...target.keys()].filter((id) => !before.has(id)));
      const removed = sorted([...before].filter((id) => !target.has(id)));
      const live = await lockReceivedInvoices(trx, deps.db.dialect, tenantId, [...target.keys(), ...before]);
      const known = new Set(live.map((i) => i.id));
      const gone = added.filter((id) => !known.has(id));
      if (gone.length > 0) {
        throw new AppError(VOUCHER_INVOICE_NOT_FOUND, '发票已被删除', { invoiceIds: gone.slice(0, 20) });
      }
      await deleteVoucherInvoices(trx, tenantId, voucher.id, removed);
      const booked = await insertVoucherInvoices(
        trx,
        added.map((id) => ({
          tenant_id: tenantId,
          voucher_pk: voucher.id,
          received_invoice_id: id,
          bill_pk: target.get(id) ?? null,
        })),
      );
      if (booked.length < added.length) {
        const got = new Set(booked);
        const taken = added.filter((id) => !got.has(id));
        const [other] = await findBookings(trx, tenantId, taken.slice(0, 1));
        throw new AppError(VOUCHER_INVOICE_BOOKED, undefined, {
          invoiceId: taken[0],
          vouchId: other?.vouch_id ?? null,
        });
      }
      const moved = new Set([...added, ...removed]);
      await syncUsage(
        trx,
        tenantId,
        live.filter((i) => moved.has(i.id)),
      );
      await publishVoucherEvent(deps, trx, 'voucher.saved', voucher, [...target.keys()].sort(), billIds, now);
      return { voucher, changed: true };
    },
    ({ voucher }) => ({
      action: 'voucher.save',
      target: { type: 'voucher', id: voucher.id },
      after: { vouchId: voucher.vouch_id, vouchNo: voucher.vouch_no, invoiceCount: voucher.invoice_count },
    }),
  );
  return { voucher: await toVoucherView(db, result.voucher), changed: result.changed };
}

/** Deletes a voucher: its invoices are no longer booked (back to `claimed` / `unused`), `voucher.deleted`. */
export async function deleteVoucher(
  deps: Deps,
  input: { tenantId: string; resource: string; vouchId: string; audit?: AuditMeta },
): Promise<void> {
  const { tenantId } = input;
  const now = deps.clock.now();
  await inTransaction(
    deps,
    input.audit,
    async (trx): Promise<Voucher> => {
      // Lock order as in saveVoucher: the voucher row, then its invoices.
      const voucher = await findVoucher(trx, tenantId, input.resource, input.vouchId, deps.db.dialect);
      if (!voucher) throw new AppError(VOUCHER_NOT_FOUND);
      const rows = await findVoucherInvoices(trx, tenantId, voucher.id);
      const ids = rows.map((r) => r.received_invoice_id);
      const locked = await lockReceivedInvoices(trx, deps.db.dialect, tenantId, ids);
      await deleteVoucherInvoices(trx, tenantId, voucher.id, ids);
      await deleteVoucherRow(trx, tenantId, voucher.id);
      await syncUsage(trx, tenantId, locked);
      await publishVoucherEvent(deps, trx, 'voucher.deleted', voucher, ids, [], now);
      return voucher;
    },
    (voucher) => ({
      action: 'voucher.delete',
      target: { type: 'voucher', id: voucher.id },
      before: { vouchId: voucher.vouch_id, vouchNo: voucher.vouch_no, invoiceCount: voucher.invoice_count },
      after: null,
    }),
  );
}
