/**
 * `issue` on the simulated platform: idempotent by requestId, failure injection before anything is recorded, then
 * the write: on PostgreSQL ONE statement (issue.repo.ts) that looks the request id up, claims a red's form and
 * updates its blue, charges (blues, only when it fits) or gives back (reds) the credit quota, takes the number and
 * writes the ledger row; on SQLite the same steps as single statements in one (in-process) transaction. A refusal
 * writes nothing: no number is consumed, no quota charged.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/database.js';
import { newId } from '../../../platform/ids.js';
import { toFen } from '../../../tax/index.js';
import { CHANNEL_ERRORS } from '../channels.errors.js';
import { ChannelError, type ChannelIssued, type ChannelIssueRequest } from '../issuing-channel.js';
import { hasFailureInjection, injectFailure, startCall, timeoutAfterCommitError } from './failure-injection.js';
import { issueInOneStatement } from './issue.repo.js';
import { findLedgerByRequest, insertLedgerRow } from './ledger.repo.js';
import { type LedgerRow, toIssued, toLedgerLines } from './ledger-rows.js';
import {
  chinaDateParts,
  composeInvoiceNumber,
  deriveCheckCode,
  type NumberPlan,
  numberPlan,
  sellerRegion,
} from './numbering.js';
import { applyQuota, type QuotaKey, quotaExceededError } from './quota.js';
import { expireDueForms, findRedForm } from './red-forms.repo.js';
import { applyRedToBlue, checkRedForm, claimRedForm, USABLE_FORM_STATUSES, unusableFormError } from './red-issue.js';
import { isRaceLoss, type SandboxContext } from './sandbox-context.js';
import type { SandboxSettings } from './sandbox-settings.js';
import { nextSequence } from './sequences.repo.js';
import { ledgerLinesJson } from './stored-json.js';

/** Issues a blue or red invoice on the sandbox. */
export async function issueOnSandbox(ctx: SandboxContext, request: ChannelIssueRequest): Promise<ChannelIssued> {
  const settings = await startCall(ctx, request.tenantId);
  // A recorded request answers before any injected failure (the retry after `timeout_after_commit` gets its number),
  // so with failure injection on, look it up first; otherwise the lookup is part of the write.
  if (hasFailureInjection(settings)) {
    const existing = await findLedgerByRequest(ctx.db, request.tenantId, request.requestId);
    if (existing) return toIssued(existing);
  }
  const { invoice } = request;
  const late = await injectFailure(ctx, request.tenantId, settings, {
    operation: 'issue',
    buyerName: invoice.buyer.name,
    sellerTaxId: request.seller.taxId,
    kind: invoice.kind,
    amount: invoice.totals.amount,
  });
  if (request.red) {
    // Persist a lapse before the write, which a refusal would roll back.
    await expireDueForms(ctx.db, request.tenantId, { formId: request.red.redFormId }, ctx.clock.now());
  } else if (invoice.totals.amountFen < 0 || invoice.isRed) {
    throw new ChannelError('permanent', CHANNEL_ERRORS.RED_INVOICE_MISMATCH.code, '红字发票须附红字发票信息确认单');
  }
  let issued: ChannelIssued;
  try {
    issued = await writeIssue(ctx, request, settings);
  } catch (err) {
    // A concurrent call with the same requestId may have won: its answer stands, whether ours lost on the unique
    // key or on a check the winner's write made fail (quota, form already used).
    const winner = isRaceLoss(err) ? await findLedgerByRequest(ctx.db, request.tenantId, request.requestId) : null;
    if (!winner) throw err;
    issued = toIssued(winner);
  }
  if (late) throw timeoutAfterCommitError(late);
  return issued;
}

/** What one issue writes, before the number: the ledger row and the quota change. */
interface IssuePlan {
  readonly row: Omit<LedgerRow, 'number' | 'blue_number'>;
  readonly numbering: NumberPlan;
  readonly quotaKey: QuotaKey;
  readonly quotaFen: number;
}

function planIssue(ctx: SandboxContext, request: ChannelIssueRequest, settings: SandboxSettings): IssuePlan {
  const now = ctx.clock.now();
  const { invoice, seller, tenantId } = request;
  const region = sellerRegion(seller.regionCode, seller.taxId);
  if (!region) throw new ChannelError('permanent', CHANNEL_ERRORS.CHANNEL_REJECTED.code, '无法确定销方所在地区');
  const { year, month } = chinaDateParts(now);
  const numbering = numberPlan(invoice.kind, region, year);
  const sellerTaxId = seller.taxId.toUpperCase();
  return {
    numbering,
    quotaKey: { tenantId, sellerTaxId, month },
    quotaFen: settings.quotaBasis === 'total' ? invoice.totals.totalFen : invoice.totals.amountFen,
    row: {
      id: newId('sbl', now),
      tenant_id: tenantId,
      request_id: request.requestId,
      code: numbering.code,
      // Derived from the request, not the number, so the one statement can write it with the number it takes.
      check_code: numbering.code === '' ? null : deriveCheckCode(`${tenantId}:${request.requestId}:${numbering.code}`),
      kind: invoice.kind,
      seller_tax_id: sellerTaxId,
      seller_name: seller.name,
      seller_region: region,
      buyer_name: invoice.buyer.name,
      buyer_tax_id: invoice.buyer.taxId || null,
      buyer_natural_person: invoice.buyer.naturalPerson ? 1 : 0,
      amount_fen: invoice.totals.amountFen,
      tax_fen: invoice.totals.taxFen,
      total_fen: invoice.totals.totalFen,
      issued_at: now,
      lines_json: ledgerLinesJson.encode(toLedgerLines(invoice)),
      is_red: request.red ? 1 : 0,
      red_form_id: request.red?.redFormId ?? null,
      status: 'normal',
      red_amount_fen: 0,
      red_tax_fen: 0,
      updated_at: now,
    },
  };
}

async function writeIssue(
  ctx: SandboxContext,
  request: ChannelIssueRequest,
  settings: SandboxSettings,
): Promise<ChannelIssued> {
  const plan = planIssue(ctx, request, settings);
  if (ctx.dialect === 'postgres') return writeIssueInOneStatement(ctx, request, settings, plan);
  return ctx.db.transaction().execute((trx) => writeIssueInTransaction(trx, request, settings, plan));
}

/** PostgreSQL: one statement; a refusal is explained by reading after it (the form, or the quota). */
async function writeIssueInOneStatement(
  ctx: SandboxContext,
  request: ChannelIssueRequest,
  settings: SandboxSettings,
  plan: IssuePlan,
): Promise<ChannelIssued> {
  const form = request.red ? await checkRedForm(ctx.db, request) : null;
  const { totals } = request.invoice;
  const outcome = await issueInOneStatement(ctx.db, {
    row: plan.row,
    numbering: plan.numbering,
    quota: { key: plan.quotaKey, deltaFen: plan.quotaFen, defaultTotalFen: toFen(settings.defaultQuota) },
    red: form
      ? { formId: form.id, usable: USABLE_FORM_STATUSES, amountFen: totals.amountFen, taxFen: totals.taxFen }
      : null,
  });
  if (outcome.kind !== 'refused') return toIssued(outcome.row);
  if (form) unusableFormError((await findRedForm(ctx.db, request.tenantId, form.id)) ?? form);
  throw await quotaExceededError(ctx.db, plan.quotaKey, plan.quotaFen, settings);
}

/** SQLite: the same steps in one transaction (in-process, so no lock waits on a round trip). */
async function writeIssueInTransaction(
  trx: Kysely<Database>,
  request: ChannelIssueRequest,
  settings: SandboxSettings,
  plan: IssuePlan,
): Promise<ChannelIssued> {
  const existing = await findLedgerByRequest(trx, request.tenantId, request.requestId);
  if (existing) return toIssued(existing);
  const now = plan.row.updated_at;
  const blue = request.red ? await claimRedForm(trx, request, plan.row.id, now) : null;
  await applyQuota(trx, plan.quotaKey, plan.quotaFen, settings, now);
  const number = composeInvoiceNumber(plan.numbering, await nextSequence(trx, plan.numbering.scope));
  const row: LedgerRow = { ...plan.row, number, blue_number: blue?.number ?? null };
  await insertLedgerRow(trx, row);
  if (blue) await applyRedToBlue(trx, blue, request.invoice.totals, now);
  return toIssued(row);
}
