/**
 * Verifies one received invoice (查验, #14 §3): builds the kind's four inputs from the item, takes a slot of the
 * provider's rate and daily quota (else the verification is rescheduled as a job, never dropped), asks the
 * VerificationChannel OUTSIDE any transaction (it is a remote service), then in one transaction writes the history
 * row, the item's status and the fields the platform filled in (source `verification`), re-derives what those fields
 * decide (the buyer org from a filled buyer tax id, the duplicate links of a filled kind or code), recomputes the
 * compliance of the items concerned, and publishes `received.verified` — plus `received.changed` when an earlier
 * result changed (e.g. 正常 → 已红冲).
 */
import type { Kysely, Updateable } from 'kysely';
import type { Database } from '../../../platform/db/database.js';
import type { Deps } from '../../../platform/deps.js';
import { newId } from '../../../platform/ids.js';
import {
  fenToDecimalString,
  RECEIVED_INVOICE_KINDS,
  receivedVerificationInputs,
  toFen,
  verificationStatusName,
} from '../../../tax/index.js';

import {
  acquireVerificationSlot,
  ChannelError,
  chinaDay,
  type VerificationQuery,
  type VerificationResult,
  type VerifiedInvoice,
} from '../../channels/index.js';
import { findOrg } from '../../orgs/index.js';
import type { ReceivedInvoice, ReceivedInvoiceTable } from '../collection.tables.js';
import { recomputeCompliance } from '../compliance/recompute.js';
import { refreshDuplicates } from '../intake.js';
import { findReceivedInvoice, updateReceivedInvoice } from '../received.repo.js';
import { publishReceivedEvent } from '../received-events.js';
import { extractionJson, receivedLinesJson } from '../stored-json.js';
import { insertVerification } from './verification.repo.js';
import { VERIFY_RECEIVED_TASK } from './verification-task-ids.js';

const isReceivedKind = (kind: string) => (RECEIVED_INVOICE_KINDS as readonly string[]).includes(kind);

/**
 * Why a verification runs (kept in the job payload and the logs); `reread`: a file read again once OCR worked filled
 * in an item's 查验 inputs.
 */
export type VerifyReason = 'intake' | 'on_demand' | 'nightly' | 'deferred' | 'retry' | 'reread';

/** Statuses that are a verdict on the invoice itself: a later different verdict is a change (`received.changed`). */
const VERDICTS: readonly string[] = [
  'normal',
  'red_reversed',
  'partly_red',
  'void',
  'not_found',
  'mismatch',
  'too_old',
];

/** Statuses that may be replaced by an answer that is no verdict (超过查验次数, failed): nothing better is known. */
const PROVISIONAL: readonly string[] = ['pending', 'failed', 'unverifiable', 'too_many_checks'];

export type VerifyOutcome =
  | { readonly kind: 'gone' }
  | { readonly kind: 'deferred'; readonly retryAt: number; readonly reason: 'rate' | 'quota' | 'channel' }
  | {
      readonly kind: 'recorded';
      readonly status: string;
      readonly previousStatus: string;
      readonly changed: boolean;
      readonly item: ReceivedInvoice;
    };

export interface VerifyReceivedInput {
  readonly tenantId: string;
  readonly receivedId: string;
  readonly reason?: VerifyReason;
}

export interface VerifyReceivedOptions {
  /**
   * A transient channel failure: `defer` (default) reschedules the verification as its own job (with the job system's
   * backoff) and answers `deferred`, so a caller's pipeline never fails on the channel; `throw` rethrows it (the
   * verification task itself: its job retries, and its onDead records `failed`).
   */
  readonly onTransient?: 'defer' | 'throw';
  /** Called in the recording transaction (a task passes `helpers.complete`, so its job completes with the effect). */
  readonly inTransaction?: (trx: Kysely<Database>) => Promise<void>;
}

/** The four 查验 inputs of an item, or why it cannot be verified (Chinese). */
export function verificationQueryOf(item: ReceivedInvoice): { query: VerificationQuery } | { missing: string } {
  const spec = receivedVerificationInputs(item.kind);
  if (!spec) return { missing: '该票种不支持查验' };
  if (!item.number) return { missing: '缺少发票号码' };
  if (!item.issue_date) return { missing: '缺少开票日期' };
  if (spec.invoiceCodeRequired && !item.code) return { missing: '缺少发票代码' };
  const base = { number: item.number, code: spec.invoiceCodeRequired ? item.code : null, issueDate: item.issue_date };
  const money = (fen: number | null) => (fen === null ? null : fenToDecimalString(Number(fen)));
  switch (spec.fourth) {
    case 'check_code_last6':
      if (!item.check_code || item.check_code.length < 6) return { missing: `缺少${spec.fourthLabel}` };
      return { query: { ...base, checkCodeLast6: item.check_code.slice(-6) } };
    case 'total_with_tax':
    case 'used_car_total':
      if (item.total_fen === null) return { missing: `缺少${spec.fourthLabel}` };
      return { query: { ...base, total: money(item.total_fen) } };
    default:
      if (item.amount_fen === null) return { missing: `缺少${spec.fourthLabel}` };
      return { query: { ...base, amount: money(item.amount_fen) } };
  }
}

/**
 * Verifies a received invoice now (or reschedules it when the provider's limits say so). Call it outside any
 * transaction. The pool's processing task calls it after intake; the verification task (on demand, nightly,
 * deferred) too. Returns what happened; throws only for infrastructure (and, with `onTransient: 'throw'`, for a
 * transient ChannelError).
 */
export async function verifyReceivedInvoice(
  deps: Deps,
  input: VerifyReceivedInput,
  options: VerifyReceivedOptions = {},
): Promise<VerifyOutcome> {
  const db = deps.db.kysely;
  const item = await findReceivedInvoice(db, input.tenantId, input.receivedId);
  if (!item) return { kind: 'gone' };
  const channel = deps.verificationChannel;
  const built = verificationQueryOf(item);
  if ('missing' in built) {
    return record(deps, item, { status: 'unverifiable', message: `无法查验：${built.missing}` }, options);
  }
  const limits = {
    ratePerSecond: deps.config.channel.verifyRatePerSecond,
    dailyQuota: deps.config.channel.verifyDailyQuota,
  };
  const slot = await acquireVerificationSlot(db, channel.provider, limits, deps.clock.now());
  if (!slot.ok) {
    const retryAt = await deferVerification(deps, item, slot.retryAt, slot.reason);
    return { kind: 'deferred', retryAt, reason: slot.reason };
  }
  let result: VerificationResult;
  try {
    result = await channel.verify({ tenantId: item.tenant_id }, built.query);
  } catch (err) {
    if (!(err instanceof ChannelError)) throw err;
    if (err.kind === 'permanent') {
      return record(deps, item, { status: 'failed', message: `查验失败：${err.message}` }, options);
    }
    if (options.onTransient === 'throw') throw err;
    const retryAt = await deferVerification(deps, item, deps.clock.now() + 60_000, 'channel');
    return { kind: 'deferred', retryAt, reason: 'channel' };
  }
  const outcome = await record(deps, item, result, options);
  if (result.status === 'too_many_checks') {
    // 5 a day on the platform: ask again tomorrow (queued, not dropped).
    await deferVerification(deps, item, chinaDay(deps.clock.now()).nextStart + 3_600_000, 'quota');
  }
  return outcome;
}

/**
 * Enqueues the item's verification for `at` (plus a little jitter, so a backlog does not wake at one instant); the
 * job key names the item and the moment, so repeated deferrals to the same moment are one job.
 */
async function deferVerification(
  deps: Deps,
  item: Pick<ReceivedInvoice, 'id' | 'tenant_id'>,
  at: number,
  why: 'rate' | 'quota' | 'channel',
): Promise<number> {
  const spread = why === 'rate' ? 1000 : why === 'quota' ? 15 * 60_000 : 10_000;
  const runAt = at + Math.floor(Math.random() * spread);
  await deps.jobs.enqueue(
    deps.db.kysely,
    VERIFY_RECEIVED_TASK,
    { tenantId: item.tenant_id, receivedId: item.id, reason: 'deferred' },
    { tenantId: item.tenant_id, runAt, key: `${item.id}:after:${Math.floor(at / 1000)}` },
  );
  deps.jobs.notify();
  return runAt;
}

type Answer = Pick<VerificationResult, 'status' | 'message' | 'mismatchField' | 'invoice'>;
type Recorded = Omit<Answer, 'status'> & { status: string };

/** Writes the history row, the item's status and filled fields, and the events, in one transaction. */
async function record(
  deps: Deps,
  item: ReceivedInvoice,
  answer: Recorded,
  options: VerifyReceivedOptions,
): Promise<VerifyOutcome> {
  const now = deps.clock.now();
  const channel = deps.verificationChannel.provider;
  const historyId = newId('rvf', now);
  return deps.db.kysely.transaction().execute(async (trx) => {
    // Re-read inside the transaction: a concurrent verification of the same item may have committed meanwhile, or
    // the item was deleted while the channel answered (then nothing is recorded).
    const current = await findReceivedInvoice(trx, item.tenant_id, item.id);
    if (!current) {
      await options.inTransaction?.(trx);
      return { kind: 'gone' } as const;
    }
    const previousStatus = current.verification_status;
    await insertVerification(trx, {
      id: historyId,
      tenant_id: item.tenant_id,
      received_id: item.id,
      at: now,
      status: answer.status,
      message: answer.message.slice(0, 500),
      mismatch_field: answer.mismatchField ?? null,
      channel,
    });
    const isVerdict = VERDICTS.includes(answer.status);
    // An answer that is no verdict (超过查验次数, a failure) never hides a verdict the item already has.
    const nextStatus = isVerdict || PROVISIONAL.includes(previousStatus) ? answer.status : previousStatus;
    const filled: Partial<ReceivedInvoice> = answer.invoice ? filledFields(current, answer.invoice) : {};
    // A buyer tax id the platform filled in names the buyer org, as intake would have (rules are per buyer org).
    const buyerTaxId = filled.buyer_tax_id;
    const buyerOrg =
      current.buyer_org_id === null && buyerTaxId ? await findOrg(trx, item.tenant_id, buyerTaxId) : undefined;
    // What red invoices reversed of it (部分红冲 lowers what may be claimed), whenever the platform disclosed it.
    const red = answer.invoice && isVerdict ? { red_total_fen: redTotalFen(answer.invoice) } : {};
    const patch = {
      verification_status: nextStatus,
      verified_at: now,
      updated_at: now,
      ...filled,
      ...red,
      ...(buyerOrg ? { buyer_org_id: buyerOrg.id } : {}),
    };
    await updateReceivedInvoice(trx, item.tenant_id, item.id, patch as Updateable<ReceivedInvoiceTable>);
    const updated = { ...current, ...patch } as ReceivedInvoice;
    // The invoice's identity may have changed (a kind or code filled in): the pool's duplicate links of the old and
    // the new identity, then the compliance of every item whose facts changed — in this transaction.
    const relinked: string[] = [];
    if (updated.kind !== current.kind || updated.code !== current.code) {
      relinked.push(...(await refreshDuplicates(trx, current, now)), ...(await refreshDuplicates(trx, updated, now)));
    }
    await recomputeCompliance(
      { ...deps, db: { ...deps.db, kysely: trx } },
      { tenantId: item.tenant_id, receivedIds: [...new Set([item.id, ...relinked])] },
    );
    const changed = VERDICTS.includes(previousStatus) && isVerdict && previousStatus !== nextStatus;
    const data = {
      status: answer.status,
      statusName: verificationStatusName(answer.status),
      message: answer.message,
      ...(answer.mismatchField ? { mismatchField: answer.mismatchField } : {}),
    };
    await publishReceivedEvent(deps, trx, 'received.verified', updated, { key: historyId, data });
    if (changed) {
      await publishReceivedEvent(deps, trx, 'received.changed', updated, {
        key: historyId,
        data: { ...data, previousStatus },
      });
    }
    await options.inTransaction?.(trx);
    return { kind: 'recorded', status: nextStatus, previousStatus, changed, item: updated };
  });
}

/** 价税合计 of the red invoices issued against the invoice (≤ 0, fen). */
function redTotalFen(invoice: VerifiedInvoice): number {
  return Math.min(0, toFen(invoice.redAmount) + toFen(invoice.redTax));
}

/** The item's missing fields as the platform holds them; each filled field's source becomes `verification`. */
function filledFields(item: ReceivedInvoice, invoice: VerifiedInvoice): Partial<ReceivedInvoice> {
  const patch: Partial<Record<keyof ReceivedInvoice, unknown>> = {};
  const filled: string[] = [];
  const fill = (column: keyof ReceivedInvoice, field: string, value: unknown) => {
    if (item[column] !== null && item[column] !== undefined && item[column] !== '') return;
    if (value === null || value === undefined || value === '') return;
    patch[column] = value;
    filled.push(field);
  };
  const extraction = extractionJson.decode(item.extraction_json);
  // A kind nobody read off the invoice (a typed entry without one) is taken from the platform.
  if (!('kind' in extraction.fieldSources) && invoice.kind !== item.kind && isReceivedKind(invoice.kind)) {
    patch.kind = invoice.kind;
    filled.push('kind');
  }
  fill('code', 'code', invoice.code);
  fill('seller_name', 'seller.name', invoice.seller.name);
  fill('seller_tax_id', 'seller.taxId', invoice.seller.taxId);
  fill('buyer_name', 'buyer.name', invoice.buyer.name);
  fill('buyer_tax_id', 'buyer.taxId', invoice.buyer.taxId);
  fill('amount_fen', 'totals.amount', toFen(invoice.amount));
  fill('tax_fen', 'totals.tax', toFen(invoice.tax));
  fill('total_fen', 'totals.total', toFen(invoice.total));
  fill('remark', 'remark', invoice.remark);
  if (receivedLinesJson.decode(item.lines_json).length === 0 && invoice.lines.length > 0) {
    patch.lines_json = receivedLinesJson.encode(invoice.lines.map((l) => ({ ...l })));
    filled.push('lines');
  }
  if (filled.length === 0) return {};
  const fieldSources = { ...extraction.fieldSources };
  const confidence = { ...extraction.confidence };
  for (const field of filled) {
    fieldSources[field] = 'verification';
    confidence[field] = 1;
  }
  return {
    ...patch,
    extraction_json: extractionJson.encode({ ...extraction, fieldSources, confidence }),
  } as Partial<ReceivedInvoice>;
}

/**
 * Records `failed` after the verification job used up its retries on transient channel errors (its onDead hook). A
 * verdict the item already has stays its status; the history shows the failure.
 */
export async function recordVerificationFailure(deps: Deps, input: VerifyReceivedInput, lastError: string) {
  const item = await findReceivedInvoice(deps.db.kysely, input.tenantId, input.receivedId);
  if (!item) return;
  await record(deps, item, { status: 'failed', message: `查验失败（多次重试后）：${lastError.slice(0, 200)}` }, {});
}

/**
 * Queues the verification of a new item in the caller's transaction (the pool's processing job calls it with its
 * own transaction, so the item is verified exactly when it was processed — durably, without a channel call inside
 * the pipeline job). Keyed per item and reason: a re-run of the processing job queues nothing new.
 */
export async function enqueueVerification(
  deps: Deps,
  trx: Kysely<Database>,
  item: Pick<ReceivedInvoice, 'id' | 'tenant_id'>,
  reason: VerifyReason = 'intake',
): Promise<void> {
  await deps.jobs.enqueue(
    trx,
    VERIFY_RECEIVED_TASK,
    { tenantId: item.tenant_id, receivedId: item.id, reason },
    { tenantId: item.tenant_id, key: `${item.id}:${reason}` },
  );
}

/**
 * Enqueues an on-demand re-verification of an item (POST …/verify). Requests for one item within the same minute are
 * one job (the job key names the minute), so repeated clicks or a looping client cannot spend the provider's quota.
 */
export async function requestVerification(
  deps: Deps,
  item: Pick<ReceivedInvoice, 'id' | 'tenant_id'>,
): Promise<string> {
  const { id } = await deps.jobs.enqueue(
    deps.db.kysely,
    VERIFY_RECEIVED_TASK,
    { tenantId: item.tenant_id, receivedId: item.id, reason: 'on_demand' },
    { tenantId: item.tenant_id, key: `${item.id}:on_demand:${Math.floor(deps.clock.now() / 60_000)}` },
  );
  deps.jobs.notify();
  return id;
}
