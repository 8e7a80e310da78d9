import type { Transaction } from 'kysely';
import type { Database } from '../../../platform/db/database.js';
import type { Deps } from '../../../platform/deps.js';
import type { TaskHelpers } from '../../../platform/jobs/index.js';
import { withAfterCommitDispatch } from '../../../platform/jobs-runtime.js';
import { ChannelError, type ChannelIssued, type ChannelIssueRequest } from '../../channels/index.js';
import { findOrgChannelBinding, sellerNotBoundMessage } from '../../orgs/index.js';
import { publishInvoiceEvent } from '../invoice-events.js';
import { channelFailureCode, type InvoiceFailureCode } from '../invoicing.errors.js';
import { findInvoiceById, type InvoiceStatePatch, transitionInvoice } from '../invoicing.repo.js';
import type { Invoice } from '../invoicing.tables.js';
import { issuedFilesRenderer } from '../issued-files.js';
import { onRedFailed, onRedIssued } from '../red-flow.js';
import { decodeComputedInvoice, decodeStoredSeller } from '../stored-json.js';
import { announceSettled, foldSettled } from '../wait-for-invoice.js';

/**
 * Issues one invoice request through the channel. Idempotent end to end: the channel request id is the invoice id
 * plus its channel revision (which only a PATCH of the data changes), so a job re-run after a crash (even one between the channel's answer and our commit) gets the
 * same number back instead of a second invoice. Transient channel errors retry with backoff; permanent ones (and
 * transient ones on the last attempt) mark the invoice `failed` for a person to fix and retry.
 */
export async function runIssueInvoice(deps: Deps, invoiceId: string, helpers: TaskHelpers): Promise<void> {
  const db = deps.db.kysely;
  // Dispatched with its invoice (create-invoice.ts hands it to this run): the row as it was inserted, a moment ago —
  // nothing can have moved it since (a cancel is refused once the job runs, and only this job issues it). Else read.
  const handed = handedInvoice(helpers.handed, invoiceId);
  const invoice = handed ?? (await findInvoiceById(db, invoiceId));
  if (!invoice || (invoice.status !== 'pending' && invoice.status !== 'issuing')) return;
  if (!(await findOrgChannelBinding(db, invoice.tenant_id, invoice.seller_tax_id))) {
    await refuseUnboundSeller(deps, invoice, helpers);
    return;
  }
  // Nothing is written before the channel call: a cancel cannot race it, since cancelling a pending request also
  // cancels its job and is refused once a worker has claimed the job (cancelInvoice). The request goes pending →
  // issued in one final transaction, or → issuing when the attempt is deferred.
  let request: ChannelIssueRequest;
  try {
    request = await buildChannelRequest(deps, invoice);
  } catch (err) {
    await markFailed(deps, invoice, 'INTERNAL', `开票请求数据无法读取：${(err as Error).message}`, helpers.complete);
    return;
  }
  let issued: ChannelIssued;
  try {
    issued = await deps.channel.issue(request);
  } catch (err) {
    const found = await onChannelError(deps, invoice, helpers, err, request.requestId);
    if (!found) return;
    issued = found;
  }
  await commitIssued(deps, invoice, issued, helpers);
}

/**
 * The seller was unbound after the request was accepted (or another tenant took the tax id over): nothing more is
 * sent to the channel under it. A first attempt fails the request with SELLER_NOT_BOUND; a re-run of a request that
 * was already `issuing` first asks the channel whether the earlier attempt (made while bound) went through.
 */
async function refuseUnboundSeller(deps: Deps, invoice: Invoice, helpers: TaskHelpers): Promise<void> {
  const reason = sellerNotBoundMessage(invoice.seller_tax_id);
  // A first attempt has not called the channel; a later one may have (a crashed attempt leaves the request pending).
  if (invoice.status === 'pending' && helpers.job.attempts <= 1) {
    await markFailed(deps, invoice, 'SELLER_NOT_BOUND', reason, helpers.complete);
    return;
  }
  const found = await confirmWithChannel(
    deps,
    invoice,
    channelRequestId(invoice),
    {
      notFound: { code: 'SELLER_NOT_BOUND', reason },
      unknown: `${reason}；且无法向通道确认此前的开具结果，重新绑定后请重试`,
    },
    helpers.complete,
  );
  if (found) await commitIssued(deps, invoice, found, helpers);
}

/**
 * The channel has issued: from here on a failure must never mark the request `failed` (a retry would issue a
 * second invoice under a new request id). It throws, and the job's next attempt gets the same number back.
 */
async function commitIssued(
  deps: Deps,
  invoice: Invoice,
  issued: ChannelIssued,
  helpers: Pick<TaskHelpers, 'logger'> & Partial<Pick<TaskHelpers, 'complete'>>,
): Promise<void> {
  const patch = {
    number: issued.number,
    code: issued.code,
    check_code: issued.checkCode,
    issued_at: issued.issuedAt,
    failure_code: null,
    failure_reason: null,
    red_form_status: invoice.is_red === 1 ? 'used' : invoice.red_form_status,
    updated_at: deps.clock.now(),
  } satisfies InvoiceStatePatch;
  // The files are made now, so the request settles with them; the fallback is the render job, as before.
  const writeFiles = await renderIssuedFiles(deps, { ...invoice, ...patch, status: 'issued' }, helpers.logger);
  // The settled signal rides the transition's statement and is sent at this transaction's commit (PostgreSQL).
  const settled = foldSettled(deps, invoice.id);
  // The event's subscriber jobs (scan's order follow-up, webhooks, the buyer's delivery) go straight to this
  // process's worker once committed, when it has free slots: no claim for them.
  const done = await withAfterCommitDispatch(deps.jobs, (dispatch) =>
    deps.db.kysely.transaction().execute(async (trx) => {
      const done = await transitionInvoice(trx, invoice.id, 'issued', patch, settled.sql);
      if (done) {
        if (invoice.is_red === 1) await onRedIssued(deps, trx, invoice);
        if (writeFiles) await writeFiles(trx);
        else
          await deps.jobs.enqueue(
            trx,
            'documents/render-invoice',
            { invoiceId: invoice.id },
            { tenantId: invoice.tenant_id },
          );
        await publishInvoiceEvent(deps, trx, 'invoice.issued', { ...invoice, number: issued.number }, {}, dispatch);
      }
      // The job succeeds with the transaction that records its effect (one commit; a lost lease rolls it back).
      await helpers.complete?.(trx);
      return done;
    }),
  );
  // Not transitioned here: someone else settled it (and signalled); a signal more is harmless.
  if (done) settled.afterCommit();
  else await announceSettled(deps, invoice.id);
  helpers.logger.info({ serialNo: invoice.serial_no, number: issued.number }, 'invoice issued');
}

/**
 * The files of the invoice about to be committed as issued (docs/invoicing.md "Files in the issue job"), or null when
 * they could not be made now: no renderer in this process, or rendering failed (logged). The caller then enqueues the
 * render job, which retries on its own; the invoice is issued either way.
 */
async function renderIssuedFiles(
  deps: Deps,
  invoice: Invoice,
  logger: TaskHelpers['logger'],
): Promise<((trx: Transaction<Database>) => Promise<void>) | null> {
  const render = issuedFilesRenderer();
  if (!render) return null;
  try {
    return await render(deps, invoice);
  } catch (err) {
    logger.warn(
      { err, invoiceId: invoice.id },
      'rendering the files in the issue job failed; the render job will retry',
    );
    return null;
  }
}

/**
 * The issue job went dead (a worker crashed on its last attempt, or our commit kept failing after the channel
 * answered): ask the channel under the same request id and settle the request — issued if the channel has it,
 * `failed` otherwise — instead of leaving it `issuing` for ever.
 */
export async function reconcileDeadIssue(
  deps: Deps,
  invoiceId: string,
  helpers: Pick<TaskHelpers, 'logger'>,
): Promise<void> {
  const invoice = await findInvoiceById(deps.db.kysely, invoiceId);
  if (!invoice || (invoice.status !== 'pending' && invoice.status !== 'issuing')) return;
  const found = await confirmWithChannel(deps, invoice, channelRequestId(invoice), {
    notFound: { code: 'ISSUE_INTERRUPTED', reason: '开具过程中断（后台任务多次未完成），通道未开具。可重试' },
    unknown: '开具中断且无法向通道确认结果。请稍后重试：将以同一请求确认，不会重复开票',
  });
  if (!found) return;
  await commitIssued(deps, invoice, found, helpers);
}

/**
 * A channel error: permanent fails the request; transient retries with backoff. On the last attempt a transient
 * error may hide an invoice the channel did record (its answer was lost), so the channel is asked under the same
 * request id first: found → returned and committed as issued; not found → `failed` (a retry reuses the request id);
 * no answer → `failed` with CHANNEL_OUTCOME_UNKNOWN, which only a retry (never a PATCH) can clear.
 */
async function onChannelError(
  deps: Deps,
  invoice: Invoice,
  helpers: TaskHelpers,
  err: unknown,
  requestId: string,
): Promise<ChannelIssued | null> {
  const db = deps.db.kysely;
  const lastAttempt = helpers.job.attempts >= helpers.job.max_attempts;
  if (err instanceof ChannelError && err.kind === 'permanent') {
    await markFailed(deps, invoice, channelFailureCode(err), err.message, helpers.complete);
    return null;
  }
  const reason = err instanceof ChannelError ? err.message : '开票通道暂时不可用';
  if (lastAttempt) {
    return confirmWithChannel(
      deps,
      invoice,
      requestId,
      {
        notFound: { code: 'CHANNEL_UNAVAILABLE', reason: `${reason}（已重试 ${helpers.job.attempts} 次）` },
        unknown: `${reason}（已重试 ${helpers.job.attempts} 次，开具结果未知）。请稍后重试：将以同一请求向通道确认，不会重复开票`,
      },
      helpers.complete,
    );
  }
  await transitionInvoice(db, invoice.id, 'issue_deferred', {
    failure_code: err instanceof ChannelError ? channelFailureCode(err) : 'CHANNEL_UNAVAILABLE',
    failure_reason: `${reason}，稍后自动重试`,
    updated_at: deps.clock.now(),
  });
  throw err;
}

/**
 * Asks the channel whether it issued `requestId`. Returns what it issued; otherwise marks the request failed — with
 * `notFound` when the channel says it has nothing, or CHANNEL_OUTCOME_UNKNOWN when it cannot be reached — and
 * returns null.
 */
async function confirmWithChannel(
  deps: Deps,
  invoice: Invoice,
  requestId: string,
  failure: { notFound: { code: InvoiceFailureCode; reason: string }; unknown: string },
  complete?: TaskHelpers['complete'],
): Promise<ChannelIssued | null> {
  let found: ChannelIssued | null;
  try {
    found = await deps.channel.queryIssue({ tenantId: invoice.tenant_id }, requestId);
  } catch {
    await markFailed(deps, invoice, 'CHANNEL_OUTCOME_UNKNOWN', failure.unknown, complete);
    return null;
  }
  if (!found) await markFailed(deps, invoice, failure.notFound.code, failure.notFound.reason, complete);
  return found;
}

/**
 * Settles the request `failed`; with `complete` (a running job's) the job succeeds in the same transaction, as on the
 * issued path: one commit, and a lost lease rolls the failure back for the job's new owner.
 */
async function markFailed(
  deps: Deps,
  invoice: Invoice,
  code: InvoiceFailureCode,
  reason: string,
  complete?: TaskHelpers['complete'],
): Promise<void> {
  const settled = foldSettled(deps, invoice.id);
  const failed = await deps.db.kysely.transaction().execute(async (trx) => {
    const failed = await transitionInvoice(
      trx,
      invoice.id,
      'issue_failed',
      { failure_code: code, failure_reason: reason, updated_at: deps.clock.now() },
      settled.sql,
    );
    if (failed) {
      if (invoice.is_red === 1) await onRedFailed(deps, trx, invoice);
      await publishInvoiceEvent(deps, trx, 'invoice.failed', invoice);
    }
    await complete?.(trx);
    return failed;
  });
  if (failed) settled.afterCommit();
  else await announceSettled(deps, invoice.id);
}

/** The exact request this task sends to the channel for an invoice (also used by tests that play a crash). */
export async function buildChannelRequest(deps: Deps, invoice: Invoice): Promise<ChannelIssueRequest> {
  const seller = decodeStoredSeller(invoice.seller_json);
  const computed = decodeComputedInvoice(invoice.computed_json);
  let red: ChannelIssueRequest['red'];
  if (invoice.is_red === 1) {
    const blue = await findInvoiceById(deps.db.kysely, invoice.blue_invoice_id ?? '');
    if (!blue?.number || !invoice.red_form_id || !invoice.red_form_no)
      throw new Error('red invoice without blue or form');
    red = { blueNumber: blue.number, redFormId: invoice.red_form_id, redFormNo: invoice.red_form_no };
  }
  return {
    tenantId: invoice.tenant_id,
    requestId: channelRequestId(invoice),
    seller,
    invoice: computed,
    drawer: invoice.drawer,
    ...(red ? { red } : {}),
  };
}

/**
 * The id the channel deduplicates an issue request by: the invoice and its channel revision (which changes only when a
 * PATCH changes the data), so every retry and every confirm-with-channel of the same data names the same request.
 */
function channelRequestId(invoice: Invoice): string {
  return `${invoice.id}-r${invoice.channel_revision}`;
}

/** The invoice row create-invoice.ts handed this run with its job (direct dispatch), when it is `invoiceId`'s. */
function handedInvoice(handed: unknown, invoiceId: string): Invoice | undefined {
  if (typeof handed !== 'object' || handed === null) return undefined;
  const invoice = handed as Partial<Invoice>;
  return invoice.id === invoiceId && typeof invoice.status === 'string' ? (invoice as Invoice) : undefined;
}
