/**
 * 抵扣勾选 use cases (docs/deduction.md): candidates, select / unselect through the deduction channel, 不抵扣 with a
 * reason, period statistics and confirmation. The channel is called like a remote service — never inside our
 * transaction; our rows and their audit entries are written in one transaction after its answer.
 */
import type { Insertable, Kysely } from 'kysely';
import { toIsoCst } from '../../../platform/clock.js';
import type { Database } from '../../../platform/db/database.js';
import { ctxOf, type Deps } from '../../../platform/deps.js';
import { AppError, type ErrorCode } from '../../../platform/errors/app-error.js';
import {
  allowsPartialDeduction,
  DEDUCTIBLE_KIND_CODES,
  DEDUCTION_EARLIEST_ISSUE_DATE,
  type DeductibleTax,
  deductibleTax,
  deductionProblem,
  fenToDecimalString,
  parseDecimal,
  RECEIVED_INVOICE_KIND_NAMES,
  type ReceivedInvoiceKind,
  taxPeriodEnd,
  taxPeriodProblem,
  toFen,
} from '../../../tax/index.js';
import { type AuditMeta, withAudit } from '../../audit/index.js';
import {
  ChannelError,
  channelErrorToAppError,
  type DeductionInvoiceRef,
  type DeductionItemResult,
  type DeductionScope,
  deductionKey,
} from '../../channels/index.js';
import {
  deductionFactsOf,
  findReceivedInvoicesByIds,
  listDeductibleReceived,
  type ReceivedInvoice,
  type ReceivedInvoiceView,
  registerDeductionLoader,
  toReceivedInvoiceViews,
} from '../../collection/index.js';
import { findOrg } from '../../orgs/index.js';
import {
  DEDUCTION_HELD_ELSEWHERE,
  DEDUCTION_INVOICE_NOT_FOUND,
  DEDUCTION_NOT_DEDUCTIBLE,
  DEDUCTION_NOT_SELECTED,
  DEDUCTION_ORG_UNKNOWN,
  DEDUCTION_PARTIAL_NOT_ALLOWED,
  DEDUCTION_PERIOD_INVALID,
  DEDUCTION_PERIOD_LOCKED,
  DEDUCTION_STATE_CONFLICT,
  DEDUCTION_TAX_ABOVE_ALLOWED,
  DEDUCTION_WRONG_BUYER,
} from './deduction.errors.js';
import {
  confirmPeriod,
  type DeductionSelection,
  deleteSelections,
  findPeriod,
  findSelections,
  type KindSum,
  listSelections,
  sumSelectionsByKind,
  upsertSelections,
} from './deduction.repo.js';
import type { DeductionSelectionTable, DeductionStatus } from './deduction.tables.js';

/** Who acts: the tenant and the user or app (audit meta carries the same). */
export interface DeductionCaller {
  readonly tenantId: string;
  readonly actorName: string;
  readonly meta: AuditMeta;
}

/** The deduction side of an item in a list. */
export interface DeductionInfo {
  readonly status: 'candidate' | DeductionStatus;
  readonly period: string | null;
  /** Effective deductible tax (candidates: the full one). */
  readonly tax: string | null;
  readonly fullTax: string | null;
  readonly taxBasis: 'printed' | 'computed' | null;
  readonly taxRule: string | null;
  readonly partialAllowed: boolean;
  readonly reason: string | null;
  readonly actor: string | null;
  readonly updatedAt: string | null;
  /**
   * The pool item was deleted after it was selected or marked (an orphan): still listed, counted and exported with
   * its period, never selectable again (a select answers DEDUCTION_INVOICE_NOT_FOUND); a selection may be cancelled.
   */
  readonly invoiceDeleted: boolean;
}

export interface DeductionListItem {
  readonly invoice: ReceivedInvoiceView;
  readonly deduction: DeductionInfo;
}

/** Most invoices one request may name. */
export const DEDUCTION_BATCH_MAX = 200;

const money = (fen: number | null | undefined) =>
  fen === null || fen === undefined ? null : fenToDecimalString(Number(fen));

interface Problem {
  readonly invoiceId: string;
  readonly reason: string;
  readonly allowed?: string;
}

/** Throws the first non-empty problem group as its coded error, with every invoice's reason in details. */
function throwProblems(groups: ReadonlyArray<readonly [ErrorCode, readonly Problem[]]>): void {
  for (const [code, problems] of groups) {
    if (problems.length > 0) {
      throw new AppError(code, problems.length === 1 ? `${code.message}：${problems[0]!.reason}` : undefined, {
        invoices: problems,
      });
    }
  }
}

/** A channel call; its ChannelError answers as the API error of channels' one mapping (transient → 503). */
async function callChannel<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof ChannelError) throw channelErrorToAppError(err);
    throw err;
  }
}

/** The tenant's org of this tax id (upper case), or DEDUCTION_ORG_UNKNOWN. */
async function buyerOrg(deps: Deps, tenantId: string, buyerTaxId: string): Promise<string> {
  const org = await findOrg(deps.db.kysely, tenantId, buyerTaxId);
  if (!org) throw new AppError(DEDUCTION_ORG_UNKNOWN, `购买方组织 ${buyerTaxId} 不存在`, { buyerTaxId });
  return org.tax_id;
}

function checkPeriod(deps: Deps, period: string): void {
  const problem = taxPeriodProblem(period, deps.clock.now());
  if (problem) throw new AppError(DEDUCTION_PERIOD_INVALID, problem, { period });
}

async function assertPeriodOpen(deps: Deps, tenantId: string, buyer: string, period: string): Promise<void> {
  const row = await findPeriod(deps.db.kysely, tenantId, buyer, period);
  if (row?.state === 'confirmed') throw new AppError(DEDUCTION_PERIOD_LOCKED, undefined, { period });
}

const refOf = (item: Pick<ReceivedInvoice, 'kind' | 'code' | 'number'>): DeductionInvoiceRef => ({
  kind: item.kind,
  code: item.code,
  number: item.number ?? '',
});

/** The full deductible tax of an item (printed, or computed for transport tickets). */
export function fullDeductibleTax(item: ReceivedInvoice, view?: ReceivedInvoiceView): DeductibleTax | null {
  const fare = view?.passenger?.fare ? parseDecimal(view.passenger.fare) : null;
  return deductibleTax({
    kind: item.kind,
    taxFen: item.tax_fen === null ? null : Number(item.tax_fen),
    totalFen: item.total_fen === null ? null : Number(item.total_fen),
    fareFen: fare ? toFen(fare) : null,
  });
}

async function loadItems(deps: Deps, tenantId: string, ids: readonly string[]) {
  const items = await findReceivedInvoicesByIds(deps.db.kysely, tenantId, ids);
  const found = new Set(items.map((i) => i.id));
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length > 0) throw new AppError(DEDUCTION_INVOICE_NOT_FOUND, undefined, { invoiceIds: missing });
  const views = await toReceivedInvoiceViews(deps.db.kysely, tenantId, items);
  return items.map((item, i) => ({ item, view: views[i]! }));
}

function candidateInfo(item: ReceivedInvoice, view: ReceivedInvoiceView): DeductionInfo {
  const full = fullDeductibleTax(item, view);
  return {
    status: 'candidate',
    period: null,
    tax: money(full?.taxFen),
    fullTax: money(full?.taxFen),
    taxBasis: full?.basis ?? null,
    taxRule: full?.rule ?? null,
    partialAllowed: allowsPartialDeduction(item.kind),
    reason: null,
    actor: null,
    updatedAt: null,
    invoiceDeleted: false,
  };
}

function selectionInfo(row: DeductionSelection, item: ReceivedInvoice, view?: ReceivedInvoiceView) {
  const full = item ? fullDeductibleTax(item, view) : null;
  return {
    status: row.status,
    period: row.period,
    tax: money(row.tax_fen),
    fullTax: money(row.full_tax_fen),
    taxBasis: (row.tax_basis as 'printed' | 'computed' | null) ?? null,
    taxRule: full?.rule ?? null,
    partialAllowed: allowsPartialDeduction(row.kind),
    reason: row.reason,
    actor: row.actor,
    updatedAt: toIsoCst(Number(row.updated_at)),
    invoiceDeleted: item.deleted_at !== null,
  } satisfies DeductionInfo;
}

// ---- list ----

export interface ListQuery {
  readonly buyerTaxId: string;
  readonly period: string;
  readonly status: 'candidate' | DeductionStatus;
  readonly kind?: string;
  readonly cursor?: string;
  readonly limit: number;
}

/**
 * Candidates: deductible kinds, 查验 正常, addressed to the buyer, issued by the period's end (and from 2017), with
 * no deduction state here and held by nobody on the platform. Read page by page from the pool and filtered; the
 * cursor is the last pool id looked at.
 */
async function* candidatePages(
  deps: Deps,
  tenantId: string,
  q: { buyer: string; period: string; kind?: string; cursor?: string | null },
  pageRows: number,
): AsyncGenerator<{ rows: Array<{ item: ReceivedInvoice; view: ReceivedInvoiceView }>; lastId: string | null }> {
  const kinds = q.kind ? DEDUCTIBLE_KIND_CODES.filter((k) => k === q.kind) : DEDUCTIBLE_KIND_CODES;
  let cursor = q.cursor ?? null;
  for (;;) {
    const page = await listDeductibleReceived(
      deps.db.kysely,
      tenantId,
      {
        buyerTaxId: q.buyer,
        kinds,
        issueDateFrom: DEDUCTION_EARLIEST_ISSUE_DATE,
        issueDateTo: taxPeriodEnd(q.period),
      },
      { cursor, limit: pageRows },
    );
    const ids = page.items.map((i) => i.id);
    const taken = new Set((await findSelections(deps.db.kysely, tenantId, ids)).map((s) => s.received_invoice_id));
    const open = page.items.filter((i) => !taken.has(i.id) && i.number);
    const held =
      open.length > 0
        ? await callChannel(() => deps.deductionChannel.holdings({ tenantId }, open.map(refOf)))
        : new Map<string, unknown>();
    const free = open.filter((i) => !held.has(deductionKey(refOf(i))));
    const views = await toReceivedInvoiceViews(deps.db.kysely, tenantId, free);
    yield {
      rows: free.map((item, i) => ({ item, view: views[i]! })),
      lastId: page.items[page.items.length - 1]?.id ?? null,
    };
    if (!page.nextCursor) return;
    cursor = page.nextCursor;
  }
}

/** `GET /api/v1/deduction/invoices`. */
export async function listDeductionInvoices(
  deps: Deps,
  tenantId: string,
  q: ListQuery,
): Promise<{ items: DeductionListItem[]; nextCursor: string | null }> {
  const buyer = await buyerOrg(deps, tenantId, q.buyerTaxId);
  checkPeriod(deps, q.period);
  if (q.status === 'candidate') {
    const items: DeductionListItem[] = [];
    // Pages of the pool are read until the page is full; at most 10 reads per request (the cursor continues).
    let reads = 0;
    let lastId: string | null = null;
    let more = false;
    for await (const page of candidatePages(
      deps,
      tenantId,
      { buyer, period: q.period, ...(q.kind ? { kind: q.kind } : {}), cursor: q.cursor ?? null },
      q.limit,
    )) {
      reads++;
      for (const { item, view } of page.rows) {
        if (items.length < q.limit) {
          items.push({ invoice: view, deduction: candidateInfo(item, view) });
          lastId = item.id;
        } else more = true;
      }
      if (items.length >= q.limit || reads >= 10) {
        if (items.length < q.limit) lastId = page.lastId;
        more = true;
        break;
      }
    }
    return { items, nextCursor: more ? lastId : null };
  }
  const page = await listSelections(
    deps.db.kysely,
    tenantId,
    {
      buyerTaxId: buyer,
      status: q.status,
      period: q.status === 'not_deductible' ? null : q.period,
      ...(q.kind ? { kind: q.kind } : {}),
    },
    { cursor: q.cursor ?? null, limit: q.limit },
  );
  const ids = page.items.map((r) => r.received_invoice_id);
  // An item deleted from the pool after it was selected keeps its deduction row, and stays listed (flagged): what
  // the period counts and exports is what the list shows.
  const invoices = await findReceivedInvoicesByIds(deps.db.kysely, tenantId, ids, { withDeleted: true });
  const views = await toReceivedInvoiceViews(deps.db.kysely, tenantId, invoices);
  const byId = new Map(invoices.map((inv, i) => [inv.id, { item: inv, view: views[i]! }]));
  const items: DeductionListItem[] = [];
  for (const row of page.items) {
    const found = byId.get(row.received_invoice_id);
    // Pool items are only ever soft-deleted, so every row finds its item; a row without one is a defect, logged.
    if (!found) {
      deps.logger.error({ tenantId, receivedInvoiceId: row.received_invoice_id }, 'deduction row without pool item');
      continue;
    }
    items.push({ invoice: found.view, deduction: selectionInfo(row, found.item, found.view) });
  }
  return { items, nextCursor: page.nextCursor };
}

// ---- select ----

export interface SelectInput {
  readonly buyerTaxId: string;
  readonly period: string;
  readonly invoices: ReadonlyArray<{ readonly invoiceId: string; readonly tax?: string }>;
}

/** `POST /api/v1/deduction/selections`: all or nothing (a refusal by the platform undoes what this call selected). */
export async function selectForDeduction(
  deps: Deps,
  caller: DeductionCaller,
  input: SelectInput,
): Promise<DeductionListItem[]> {
  const { tenantId } = caller;
  const buyer = await buyerOrg(deps, tenantId, input.buyerTaxId);
  checkPeriod(deps, input.period);
  await assertPeriodOpen(deps, tenantId, buyer, input.period);
  const wanted = new Map<string, string | undefined>();
  for (const i of input.invoices) wanted.set(i.invoiceId, i.tax);
  const ids = [...wanted.keys()];
  const loaded = await loadItems(deps, tenantId, ids);
  const existing = new Map(
    (await findSelections(deps.db.kysely, tenantId, ids)).map((s) => [s.received_invoice_id, s]),
  );

  const wrongBuyer: Problem[] = [];
  const notDeductible: Problem[] = [];
  const above: Problem[] = [];
  const partial: Problem[] = [];
  const plan: Array<{ item: ReceivedInvoice; view: ReceivedInvoiceView; full: DeductibleTax; taxFen: number }> = [];
  for (const { item, view } of loaded) {
    const invoiceId = item.id;
    if ((item.buyer_tax_id ?? '').toUpperCase() !== buyer) {
      wrongBuyer.push({ invoiceId, reason: `发票购买方税号为 ${item.buyer_tax_id ?? '（空）'}` });
      continue;
    }
    const prior = existing.get(invoiceId);
    const problem =
      deductionProblem(deductionFactsOf(item), input.period) ??
      (prior?.status === 'not_deductible' ? '已标记为不抵扣' : null) ??
      (prior?.status === 'confirmed' ? `已在所属期 ${prior.period} 抵扣` : null) ??
      (prior && prior.period !== input.period ? `已在所属期 ${prior.period} 勾选，请先撤销` : null);
    const full = problem ? null : fullDeductibleTax(item, view);
    if (problem || !full) {
      notDeductible.push({ invoiceId, reason: problem ?? '缺少计算可抵扣税额所需的金额' });
      continue;
    }
    const requested = wanted.get(invoiceId);
    const taxFen = requested === undefined ? full.taxFen : toFen(requested);
    if (taxFen > full.taxFen) {
      above.push({ invoiceId, reason: `可抵扣税额为 ${money(full.taxFen)}`, allowed: money(full.taxFen)! });
      continue;
    }
    if (taxFen < full.taxFen && !allowsPartialDeduction(item.kind)) {
      partial.push({ invoiceId, reason: `该票种须全额抵扣 ${money(full.taxFen)}`, allowed: money(full.taxFen)! });
      continue;
    }
    plan.push({ item, view, full, taxFen });
  }
  throwProblems([
    [DEDUCTION_WRONG_BUYER, wrongBuyer],
    [DEDUCTION_NOT_DEDUCTIBLE, notDeductible],
    [DEDUCTION_TAX_ABOVE_ALLOWED, above],
    [DEDUCTION_PARTIAL_NOT_ALLOWED, partial],
  ]);

  const scope: DeductionScope = { tenantId, buyerTaxId: buyer, actor: caller.actorName };
  const results = await callChannel(() =>
    deps.deductionChannel.select(
      scope,
      input.period,
      plan.map((p) => ({ invoice: refOf(p.item), taxFen: p.taxFen, ref: p.item.id })),
    ),
  );
  const refused = results.filter((r): r is Extract<DeductionItemResult, { ok: false }> => !r.ok);
  if (refused.length > 0) {
    // All or nothing: give back what this call newly selected.
    const created = new Set(results.filter((r) => r.ok && r.created).map((r) => r.ref));
    const undo = plan.filter((p) => created.has(p.item.id));
    if (undo.length > 0) {
      await callChannel(() =>
        deps.deductionChannel.unselect(
          scope,
          input.period,
          undo.map((p) => ({ invoice: refOf(p.item), ref: p.item.id })),
        ),
      );
    }
    const locked = refused.some((r) => r.refusal === 'period_confirmed');
    throw new AppError(
      locked ? DEDUCTION_PERIOD_LOCKED : DEDUCTION_HELD_ELSEWHERE,
      refused.length === 1 ? refused[0]!.message : undefined,
      { invoices: refused.map((r) => ({ invoiceId: r.ref, reason: r.message, refusal: r.refusal })) },
    );
  }

  const now = deps.clock.now();
  const rows: Insertable<DeductionSelectionTable>[] = plan.map(({ item, full, taxFen }) => ({
    tenant_id: tenantId,
    received_invoice_id: item.id,
    buyer_tax_id: buyer,
    period: input.period,
    status: 'selected',
    kind: item.kind,
    code: item.code,
    number: item.number,
    issue_date: item.issue_date,
    seller_name: item.seller_name,
    seller_tax_id: item.seller_tax_id,
    amount_fen: item.amount_fen,
    full_tax_fen: full.taxFen,
    tax_fen: taxFen,
    tax_basis: full.basis,
    reason: null,
    actor: caller.actorName,
    created_at: existing.get(item.id)?.created_at ?? now,
    updated_at: now,
  }));
  await withAudit(
    { ...ctxOf(deps), jobs: deps.jobs },
    caller.meta,
    ({ db }) => upsertSelections(db, rows),
    () =>
      rows.map((r) => {
        const prior = existing.get(r.received_invoice_id);
        return {
          action: 'deduction.select',
          target: { type: 'received_invoice', id: r.received_invoice_id },
          before: prior ? { period: prior.period, status: prior.status, tax: money(prior.tax_fen) } : null,
          after: { buyerTaxId: buyer, period: input.period, status: 'selected', tax: money(r.tax_fen) },
        };
      }),
  );
  return plan.map(({ item, view }, i) => ({
    invoice: view,
    deduction: selectionInfo({ ...(rows[i] as DeductionSelection) }, item, view),
  }));
}

// ---- cancel ----

/** `POST /api/v1/deduction/selections/cancel`. */
export async function cancelSelections(
  deps: Deps,
  caller: DeductionCaller,
  input: { buyerTaxId: string; period: string; invoiceIds: readonly string[] },
): Promise<{ cancelled: string[] }> {
  const { tenantId } = caller;
  const buyer = await buyerOrg(deps, tenantId, input.buyerTaxId);
  checkPeriod(deps, input.period);
  await assertPeriodOpen(deps, tenantId, buyer, input.period);
  const ids = [...new Set(input.invoiceIds)];
  const rows = await findSelections(deps.db.kysely, tenantId, ids);
  const selected = rows.filter((r) => r.status === 'selected' && r.period === input.period && r.buyer_tax_id === buyer);
  const ok = new Set(selected.map((r) => r.received_invoice_id));
  const missing = ids.filter((id) => !ok.has(id));
  if (missing.length > 0) throw new AppError(DEDUCTION_NOT_SELECTED, undefined, { invoiceIds: missing });

  const scope: DeductionScope = { tenantId, buyerTaxId: buyer, actor: caller.actorName };
  const results = await callChannel(() =>
    deps.deductionChannel.unselect(
      scope,
      input.period,
      selected.map((r) => ({
        invoice: { kind: r.kind, code: r.code, number: r.number ?? '' },
        ref: r.received_invoice_id,
      })),
    ),
  );
  // Only a confirmed period stops a cancel; an invoice the platform no longer holds is ours to forget.
  if (results.some((r) => !r.ok && r.refusal === 'period_confirmed')) {
    throw new AppError(DEDUCTION_PERIOD_LOCKED, undefined, { period: input.period });
  }
  await withAudit(
    { ...ctxOf(deps), jobs: deps.jobs },
    caller.meta,
    ({ db }) => deleteSelections(db, tenantId, ids, { status: 'selected', period: input.period }),
    () =>
      selected.map((r) => ({
        action: 'deduction.unselect',
        target: { type: 'received_invoice', id: r.received_invoice_id },
        before: { buyerTaxId: buyer, period: r.period, status: r.status, tax: money(r.tax_fen) },
        after: null,
      })),
  );
  return { cancelled: ids };
}

// ---- 不抵扣 ----

/** `POST /api/v1/deduction/not-deductible`: marks (or, with `undo`, unmarks) invoices 不抵扣 with a reason. */
export async function markNotDeductible(
  deps: Deps,
  caller: DeductionCaller,
  input: { buyerTaxId: string; invoiceIds: readonly string[]; reason?: string; undo?: boolean },
): Promise<{ invoiceIds: string[] }> {
  const { tenantId } = caller;
  const buyer = await buyerOrg(deps, tenantId, input.buyerTaxId);
  const ids = [...new Set(input.invoiceIds)];
  const existing = new Map(
    (await findSelections(deps.db.kysely, tenantId, ids)).map((s) => [s.received_invoice_id, s]),
  );
  if (input.undo) {
    const notMarked = ids.filter((id) => existing.get(id)?.status !== 'not_deductible');
    if (notMarked.length > 0) {
      throw new AppError(DEDUCTION_STATE_CONFLICT, '发票未标记为不抵扣', { invoiceIds: notMarked });
    }
    await withAudit(
      { ...ctxOf(deps), jobs: deps.jobs },
      caller.meta,
      ({ db }) => deleteSelections(db, tenantId, ids, { status: 'not_deductible' }),
      () =>
        ids.map((id) => ({
          action: 'deduction.not_deductible_undo',
          target: { type: 'received_invoice', id },
          before: { status: 'not_deductible', reason: existing.get(id)?.reason ?? null },
          after: null,
        })),
    );
    return { invoiceIds: ids };
  }
  const reason = input.reason?.trim() ?? '';
  if (!reason) throw new AppError(DEDUCTION_NOT_DEDUCTIBLE, '请填写不抵扣原因');
  const loaded = await loadItems(deps, tenantId, ids);
  const wrongBuyer: Problem[] = [];
  const notDeductible: Problem[] = [];
  const conflict: Problem[] = [];
  for (const { item } of loaded) {
    if ((item.buyer_tax_id ?? '').toUpperCase() !== buyer) {
      wrongBuyer.push({ invoiceId: item.id, reason: `发票购买方税号为 ${item.buyer_tax_id ?? '（空）'}` });
    } else if (!DEDUCTIBLE_KIND_CODES.includes(item.kind as ReceivedInvoiceKind)) {
      notDeductible.push({ invoiceId: item.id, reason: '该票种本身不可抵扣' });
    } else {
      const prior = existing.get(item.id);
      if (prior && prior.status !== 'not_deductible') {
        conflict.push({
          invoiceId: item.id,
          reason: `已在所属期 ${prior.period} ${prior.status === 'confirmed' ? '抵扣' : '勾选'}`,
        });
      }
    }
  }
  throwProblems([
    [DEDUCTION_WRONG_BUYER, wrongBuyer],
    [DEDUCTION_NOT_DEDUCTIBLE, notDeductible],
    [DEDUCTION_STATE_CONFLICT, conflict],
  ]);
  const now = deps.clock.now();
  const rows: Insertable<DeductionSelectionTable>[] = loaded.map(({ item }) => ({
    tenant_id: tenantId,
    received_invoice_id: item.id,
    buyer_tax_id: buyer,
    period: null,
    status: 'not_deductible',
    kind: item.kind,
    code: item.code,
    number: item.number,
    issue_date: item.issue_date,
    seller_name: item.seller_name,
    seller_tax_id: item.seller_tax_id,
    amount_fen: item.amount_fen,
    full_tax_fen: null,
    tax_fen: null,
    tax_basis: null,
    reason,
    actor: caller.actorName,
    created_at: existing.get(item.id)?.created_at ?? now,
    updated_at: now,
  }));
  await withAudit(
    { ...ctxOf(deps), jobs: deps.jobs },
    caller.meta,
    ({ db }) => upsertSelections(db, rows),
    () =>
      rows.map((r) => ({
        action: 'deduction.not_deductible',
        target: { type: 'received_invoice', id: r.received_invoice_id },
        before: existing.has(r.received_invoice_id)
          ? { status: 'not_deductible', reason: existing.get(r.received_invoice_id)?.reason ?? null }
          : null,
        after: { buyerTaxId: buyer, status: 'not_deductible', reason },
      })),
  );
  return { invoiceIds: ids };
}

// ---- period ----

export interface KindStats {
  readonly kind: string;
  readonly kindName: string;
  readonly count: number;
  readonly amount: string;
  readonly tax: string;
}

export interface StatsBlock {
  readonly count: number;
  readonly amount: string;
  readonly tax: string;
  readonly byKind: KindStats[];
}

function block(sums: readonly KindSum[]): StatsBlock {
  let count = 0;
  let amount = 0;
  let tax = 0;
  for (const s of sums) {
    count += s.count;
    amount += s.amountFen;
    tax += s.taxFen;
  }
  return {
    count,
    amount: fenToDecimalString(amount),
    tax: fenToDecimalString(tax),
    byKind: sums.map((s) => ({
      kind: s.kind,
      kindName: RECEIVED_INVOICE_KIND_NAMES[s.kind as ReceivedInvoiceKind] ?? s.kind,
      count: s.count,
      amount: fenToDecimalString(s.amountFen),
      tax: fenToDecimalString(s.taxFen),
    })),
  };
}

/** Candidates counted at most this many (a statistics request reads them all). */
export const CANDIDATE_STATS_MAX = 10_000;

/** `GET /api/v1/deduction/periods/{buyerTaxId}/{period}`. */
export async function periodStatistics(deps: Deps, tenantId: string, buyerTaxId: string, period: string) {
  const buyer = await buyerOrg(deps, tenantId, buyerTaxId);
  checkPeriod(deps, period);
  const row = await findPeriod(deps.db.kysely, tenantId, buyer, period);
  const selected = await sumSelectionsByKind(deps.db.kysely, tenantId, {
    buyerTaxId: buyer,
    statuses: ['selected', 'confirmed'],
    period,
  });
  const notDeductible = await sumSelectionsByKind(deps.db.kysely, tenantId, {
    buyerTaxId: buyer,
    statuses: ['not_deductible'],
    period: null,
  });
  const byKind = new Map<string, KindSum>();
  let seen = 0;
  let truncated = false;
  for await (const page of candidatePages(deps, tenantId, { buyer, period }, 500)) {
    for (const { item, view } of page.rows) {
      const sum = byKind.get(item.kind) ?? { kind: item.kind, count: 0, amountFen: 0, taxFen: 0 };
      sum.count++;
      sum.amountFen += Number(item.amount_fen ?? 0);
      sum.taxFen += fullDeductibleTax(item, view)?.taxFen ?? 0;
      byKind.set(item.kind, sum);
      seen++;
    }
    if (seen >= CANDIDATE_STATS_MAX) {
      truncated = true;
      break;
    }
  }
  const candidates = [...byKind.values()].sort((a, b) => a.kind.localeCompare(b.kind));
  return {
    buyerTaxId: buyer,
    period,
    state: row?.state ?? ('open' as const),
    confirmedAt: row?.confirmed_at ? toIsoCst(Number(row.confirmed_at)) : null,
    confirmedBy: row?.confirmed_by ?? null,
    selected: block(selected),
    candidates: { ...block(candidates), truncated },
    notDeductible: block(notDeductible),
  };
}

/** `POST /api/v1/deduction/periods/{buyerTaxId}/{period}/confirm`: through the channel, then locked here. */
export async function confirmDeductionPeriod(deps: Deps, caller: DeductionCaller, buyerTaxId: string, period: string) {
  const { tenantId } = caller;
  const buyer = await buyerOrg(deps, tenantId, buyerTaxId);
  checkPeriod(deps, period);
  await assertPeriodOpen(deps, tenantId, buyer, period);
  const scope: DeductionScope = { tenantId, buyerTaxId: buyer, actor: caller.actorName };
  const status = await callChannel(() => deps.deductionChannel.confirm(scope, period));
  const done = await withAudit(
    { ...ctxOf(deps), jobs: deps.jobs },
    caller.meta,
    ({ db, clock }) =>
      confirmPeriod(
        db,
        { tenantId, buyerTaxId: buyer, period, actor: caller.actorName, count: status.count, taxFen: status.taxFen },
        clock.now(),
      ),
    (written) =>
      written
        ? {
            action: 'deduction.confirm',
            target: { type: 'deduction_period', id: `${buyer}/${period}` },
            before: { state: 'open' },
            after: { state: 'confirmed', count: status.count, tax: money(status.taxFen) },
          }
        : null,
  );
  if (!done) throw new AppError(DEDUCTION_PERIOD_LOCKED, undefined, { period });
  return periodStatistics(deps, tenantId, buyer, period);
}

/** The org (upper-case tax id) and row count of a period's export, checking the org and period first. */
export async function exportTarget(
  deps: Deps,
  tenantId: string,
  buyerTaxId: string,
  period: string,
): Promise<{ buyer: string; rows: number }> {
  const buyer = await buyerOrg(deps, tenantId, buyerTaxId);
  checkPeriod(deps, period);
  const sums = await sumSelectionsByKind(deps.db.kysely, tenantId, {
    buyerTaxId: buyer,
    statuses: ['selected', 'confirmed'],
    period,
  });
  return { buyer, rows: sums.reduce((n, s) => n + s.count, 0) };
}

// ---- pool view ----

/** The deduction state of pool items (by received-invoice id), for the pool view (integrator wires it). */
async function deductionOf(
  db: Kysely<Database>,
  tenantId: string,
  ids: readonly string[],
): Promise<Map<string, { status: DeductionStatus; period: string | null; tax: string | null; reason: string | null }>> {
  const rows = await findSelections(db, tenantId, ids);
  return new Map(
    rows.map((r) => [
      r.received_invoice_id,
      { status: r.status, period: r.period, tax: money(r.tax_fen), reason: r.reason },
    ]),
  );
}

/** Puts each item's deduction record into the pool's view and export (every process runs it, src/tasks.ts). */
export function registerDeductionView(): void {
  registerDeductionLoader(deductionOf);
}
