import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/database.js';
import type { Deps } from '../../../platform/deps.js';
import { AppError } from '../../../platform/errors/app-error.js';
import { newId } from '../../../platform/ids.js';
import { fenToDecimalString, toFen } from '../../../tax/index.js';
import type { AuditMeta } from '../../audit/index.js';
import { claimableFen, complianceJson, lockReceivedInvoices, type ReceivedInvoice } from '../../collection/index.js';
import { findBusinessSystemByCode } from '../../orgs/index.js';
import type { Bill, BillInvoice, BillStatus } from '../assistant.tables.js';
import { findBookings } from '../vouchers/vouchers.repo.js';
import { publishBillEvent } from './bill-events.js';
import { type BillView, toBillView } from './bill-view.js';
import {
  BILL_AMOUNT_EXCEEDED,
  BILL_AMOUNT_INVALID,
  BILL_DUPLICATE_INVOICE,
  BILL_INVOICE_BLOCKED,
  BILL_INVOICE_BOOKED,
  BILL_INVOICE_NO_TOTAL,
  BILL_INVOICE_NOT_FOUND,
  BILL_INVOICE_NOT_ON_PLATFORM,
  BILL_INVOICE_REVERSED,
  BILL_INVOICE_VOID,
  BILL_RESOURCE_UNKNOWN,
} from './bills.errors.js';
import {
  applyClaimDelta,
  deleteBillInvoices,
  findBill,
  findBillInvoices,
  findClaims,
  insertBillInvoices,
  setBillAlerts,
  upsertBill,
} from './bills.repo.js';
import { inTransaction } from './in-transaction.js';
import { billAlertsJson, billCoverJson, billExtJson } from './stored-json.js';
import { syncUsage } from './usage.js';

/** A bill's status as sent: Kingdee's code (1 未用, 30 在用, 60 已用, 65 已用并入账) or our name. */
export type BillStatusInput = 1 | 30 | 60 | 65 | BillStatus;

const STATUS_OF_CODE: Record<number, BillStatus> = { 1: 'unused', 30: 'in_use', 60: 'used', 65: 'used' };

export function billStatusOf(input: BillStatusInput): BillStatus {
  return typeof input === 'number' ? (STATUS_OF_CODE[input] ?? 'unused') : input;
}

export interface BillInvoiceInput {
  invoiceId: string;
  amount: string;
  deductionFlag?: string;
  deductionTaxAmount?: string;
  outputAmount?: string;
  remark?: string;
  entryId?: string;
  extInfo?: Record<string, string>;
}

export interface SaveBillInput {
  tenantId: string;
  resource: string;
  billId: string;
  billNo?: string;
  billType?: string;
  billTaxNo?: string;
  status: BillStatusInput;
  invoices: readonly BillInvoiceInput[];
  cover?: Array<Record<string, string | number | boolean | null>>;
  audit?: AuditMeta;
}

/** The enabled business system `resource` names (422 BILL_RESOURCE_UNKNOWN otherwise). */
export async function businessSystemOf(db: Kysely<Database>, tenantId: string, resource: string) {
  const system = await findBusinessSystemByCode(db, tenantId, resource);
  if (!system?.enabled) {
    throw new AppError(BILL_RESOURCE_UNKNOWN, `未知的业务系统 ${resource.slice(0, 40)}`, {
      resource: resource.slice(0, 64),
    });
  }
  return system;
}

interface Binding {
  invoiceId: string;
  amountFen: number;
  deductionFlag: string | null;
  deductionTaxFen: number | null;
  outputAmountFen: number | null;
  remark: string | null;
  entryId: string | null;
  extJson: string | null;
}

const optFen = (value: string | undefined) => (value === undefined ? null : toFen(value));

function bindingsOf(input: SaveBillInput): Binding[] {
  const seen = new Set<string>();
  const out: Binding[] = [];
  for (const inv of input.invoices) {
    if (seen.has(inv.invoiceId)) throw new AppError(BILL_DUPLICATE_INVOICE, undefined, { invoiceId: inv.invoiceId });
    seen.add(inv.invoiceId);
    const amountFen = toFen(inv.amount);
    if (amountFen <= 0) throw new AppError(BILL_AMOUNT_INVALID, undefined, { invoiceId: inv.invoiceId });
    out.push({
      invoiceId: inv.invoiceId,
      amountFen,
      deductionFlag: inv.deductionFlag ?? null,
      deductionTaxFen: optFen(inv.deductionTaxAmount),
      outputAmountFen: optFen(inv.outputAmount),
      remark: inv.remark ?? null,
      entryId: inv.entryId ?? null,
      extJson: inv.extInfo === undefined ? null : billExtJson.encode(inv.extInfo),
    });
  }
  return out.sort((a, b) => (a.invoiceId < b.invoiceId ? -1 : a.invoiceId > b.invoiceId ? 1 : 0));
}

function sameBinding(a: Binding, b: BillInvoice): boolean {
  return (
    a.amountFen === Number(b.amount_fen) &&
    a.deductionFlag === b.deduction_flag &&
    a.deductionTaxFen === (b.deduction_tax_fen === null ? null : Number(b.deduction_tax_fen)) &&
    a.outputAmountFen === (b.output_amount_fen === null ? null : Number(b.output_amount_fen)) &&
    a.remark === b.remark &&
    a.entryId === b.entry_id &&
    a.extJson === b.ext_json
  );
}

function sameBill(
  bill: Bill,
  old: readonly BillInvoice[],
  fields: Pick<Bill, 'bill_no' | 'bill_type' | 'bill_tax_no' | 'status' | 'cover_json'>,
  bindings: readonly Binding[],
): boolean {
  if (
    bill.bill_no !== fields.bill_no ||
    bill.bill_type !== fields.bill_type ||
    bill.bill_tax_no !== fields.bill_tax_no ||
    bill.status !== fields.status ||
    bill.cover_json !== fields.cover_json ||
    old.length !== bindings.length
  ) {
    return false;
  }
  const oldOf = new Map(old.map((b) => [b.received_invoice_id, b]));
  return bindings.every((b) => {
    const o = oldOf.get(b.invoiceId);
    return o !== undefined && sameBinding(b, o);
  });
}

/**
 * Why a new or larger claim of `amountFen` may not be put on the invoice (blocked, red-reversed, void, not on the
 * platform, no total, more than its total), as the error billSave answers; null when it may. The assistant pages
 * judge importability with the same function (pages/assistant-item.ts), so what they offer is what billSave takes.
 */
export function claimRefusal(
  item: Pick<
    ReceivedInvoice,
    'id' | 'compliance_result' | 'compliance_json' | 'verification_status' | 'total_fen' | 'red_total_fen'
  >,
  amountFen: number,
): AppError | null {
  const details = { invoiceId: item.id };
  if (item.compliance_result === 'block') {
    const finding = complianceJson
      .decode(item.compliance_json)
      .find((f) => f.level === 'block' && f.outcome === 'fail');
    return new AppError(BILL_INVOICE_BLOCKED, finding?.reason, { ...details, rule: finding?.rule ?? null });
  }
  if (item.verification_status === 'red_reversed') return new AppError(BILL_INVOICE_REVERSED, undefined, details);
  if (item.verification_status === 'void') return new AppError(BILL_INVOICE_VOID, undefined, details);
  if (item.verification_status === 'not_found') return new AppError(BILL_INVOICE_NOT_ON_PLATFORM, undefined, details);
  const total = item.total_fen === null ? 0 : Number(item.total_fen);
  if (total <= 0) return new AppError(BILL_INVOICE_NO_TOTAL, undefined, details);
  // 部分红冲: what red invoices reversed is not claimable.
  const claimable = claimableFen(item);
  if (amountFen > claimable) {
    const message =
      claimable < total
        ? `报销金额超过发票可报销金额 ${fenToDecimalString(claimable)}（价税合计 ${fenToDecimalString(total)}，已部分红冲）`
        : `报销金额超过发票价税合计 ${fenToDecimalString(total)}`;
    return new AppError(BILL_AMOUNT_EXCEEDED, message, { ...details, remaining: fenToDecimalString(claimable) });
  }
  return null;
}

/**
 * billSave: creates or replaces a bill's bindings atomically. Per invoice the claim counter changes by the difference
 * between the new and the old amount in one conditional statement (ids in ascending order: concurrent saves lock
 * the counters in one order); any refusal rolls the whole save back. The invoices are locked first (after the bill
 * row), and their usage status is written last from the bindings as they then are ({@link syncUsage}); `bill.saved`
 * is published in the same transaction. Saving the same bill again unchanged writes nothing.
 */
export async function saveBill(deps: Deps, input: SaveBillInput): Promise<{ bill: BillView; changed: boolean }> {
  const { tenantId } = input;
  const db = deps.db.kysely;
  const system = await businessSystemOf(db, tenantId, input.resource);
  const bindings = bindingsOf(input);
  const fields = {
    bill_no: input.billNo ?? null,
    bill_type: input.billType ?? null,
    bill_tax_no: input.billTaxNo ?? null,
    status: billStatusOf(input.status),
    cover_json: input.cover === undefined ? null : billCoverJson.encode(input.cover),
  };
  const existing = await findBill(db, tenantId, input.resource, input.billId);
  if (existing) {
    const old = await findBillInvoices(db, tenantId, [existing.id]);
    if (sameBill(existing, old, fields, bindings)) return { bill: await toBillView(db, existing, old), changed: false };
  }
  const now = deps.clock.now();
  const saved = await inTransaction(
    deps,
    input.audit,
    async (trx) => {
      const ids = bindings.map((b) => b.invoiceId);
      const claimedFen = bindings.reduce((sum, b) => sum + b.amountFen, 0);
      // Lock order of every binding change: the bill row (this upsert), the invoices (ascending), the claim counters.
      const bill = await upsertBill(trx, {
        id: newId('bil', now),
        tenant_id: tenantId,
        business_system_id: system.id,
        resource: input.resource,
        bill_id: input.billId,
        ...fields,
        alerts_json: null,
        invoice_count: bindings.length,
        claimed_fen: claimedFen,
        created_at: now,
        updated_at: now,
      });
      const old = await findBillInvoices(trx, tenantId, [bill.id]);
      const oldOf = new Map(old.map((b) => [b.received_invoice_id, b]));
      const newOf = new Map(bindings.map((b) => [b.invoiceId, b]));
      const allIds = [...new Set([...ids, ...oldOf.keys()])].sort();
      // The invoices stay locked to the end: their usage status is computed from bindings nobody else changes.
      const items = await lockReceivedInvoices(trx, deps.db.dialect, tenantId, allIds);
      const itemOf = new Map(items.map((i) => [i.id, i]));
      const missing = ids.filter((id) => !itemOf.has(id));
      if (missing.length) throw new AppError(BILL_INVOICE_NOT_FOUND, undefined, { invoiceIds: missing.slice(0, 20) });
      // Invoices whose claim grows: the item must take a claim.
      for (const b of bindings) {
        const before = oldOf.get(b.invoiceId);
        if (before && b.amountFen <= Number(before.amount_fen)) continue;
        const refusal = claimRefusal(itemOf.get(b.invoiceId)!, b.amountFen);
        if (refusal) throw refusal;
      }
      // Invoices whose binding goes away or changes amount must not be booked.
      const touched = allIds.filter((id) => {
        const before = oldOf.get(id);
        const after = newOf.get(id);
        return before !== undefined && (after === undefined || after.amountFen !== Number(before.amount_fen));
      });
      const bookings = await findBookings(trx, tenantId, allIds);
      const booked = bookings.find((b) => touched.includes(b.received_invoice_id));
      if (booked) {
        throw new AppError(BILL_INVOICE_BOOKED, undefined, {
          invoiceId: booked.received_invoice_id,
          vouchId: booked.vouch_id,
        });
      }
      await deleteBillInvoices(trx, tenantId, bill.id);
      await insertBillInvoices(
        trx,
        bindings.map((b) => ({
          tenant_id: tenantId,
          bill_pk: bill.id,
          received_invoice_id: b.invoiceId,
          amount_fen: b.amountFen,
          deduction_flag: b.deductionFlag,
          deduction_tax_fen: b.deductionTaxFen,
          output_amount_fen: b.outputAmountFen,
          remark: b.remark,
          entry_id: b.entryId,
          ext_json: b.extJson,
          created_at: oldOf.get(b.invoiceId)?.created_at ?? now,
        })),
      );
      // Alerts of invoices the bill no longer binds go with them.
      if (bill.alerts_json !== null) {
        const alerts = billAlertsJson.decode(bill.alerts_json);
        const kept = alerts.filter((a) => newOf.has(a.invoiceId));
        if (kept.length < alerts.length) {
          await setBillAlerts(trx, tenantId, bill.id, kept.length ? billAlertsJson.encode(kept) : null, now);
          bill.alerts_json = kept.length ? billAlertsJson.encode(kept) : null;
        }
      }
      await publishBillEvent(deps, trx, 'bill.saved', bill, bindings, now);
      // The claim counters last (each one statement), so only the usage update and the commit follow them.
      for (const id of allIds) {
        const oldFen = oldOf.has(id) ? Number(oldOf.get(id)!.amount_fen) : 0;
        const newFen = newOf.get(id)?.amountFen ?? 0;
        const billDelta = (newOf.has(id) ? 1 : 0) - (oldOf.has(id) ? 1 : 0);
        if (newFen === oldFen && billDelta === 0) continue;
        const item = itemOf.get(id);
        // An invoice the bill only releases is not read: its counter keeps its total (null).
        const totalFen = item === undefined ? null : claimableFen(item);
        const result = await applyClaimDelta(trx, {
          tenantId,
          invoiceId: id,
          totalFen,
          delta: newFen - oldFen,
          billDelta,
          now,
        });
        if (!result) {
          const [claim] = await findClaims(trx, tenantId, [id]);
          const limit = totalFen ?? (claim ? Number(claim.total_fen) : 0);
          const remaining = claim ? limit - Number(claim.claimed_fen) + oldFen : limit;
          throw new AppError(BILL_AMOUNT_EXCEEDED, undefined, {
            invoiceId: id,
            remaining: fenToDecimalString(Math.max(0, remaining)),
          });
        }
      }
      await syncUsage(trx, tenantId, items);
      return { bill, bindings: await findBillInvoices(trx, tenantId, [bill.id]), old };
    },
    ({ bill, old }) => ({
      action: 'bill.save',
      target: { type: 'bill', id: bill.id },
      before: existing
        ? { status: existing.status, invoices: old.map((b) => ({ id: b.received_invoice_id, fen: b.amount_fen })) }
        : null,
      after: { status: bill.status, invoices: bindings.map((b) => ({ id: b.invoiceId, fen: b.amountFen })) },
    }),
  );
  return { bill: await toBillView(db, saved.bill, saved.bindings), changed: true };
}
