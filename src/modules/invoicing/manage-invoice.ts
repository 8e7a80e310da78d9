import type { FastifyRequest } from 'fastify';
import type { Transaction } from 'kysely';
import type { Static } from 'typebox';
import type { Database } from '../../platform/db/database.js';
import type { Deps } from '../../platform/deps.js';
import { AppError } from '../../platform/errors/app-error.js';
import { cancelUnstartedJob } from '../../platform/jobs/index.js';
import { type AuditChange, type AuditMeta, appendAudit, scheduleAuditSealer } from '../audit/index.js';
import { assertOrgAllowed, getAuth } from '../auth/index.js';
import { ChannelError, channelErrorToAppError } from '../channels/index.js';
import { assertSellerBound, getSellerOrThrow } from '../orgs/index.js';
import { computedColumns, enqueueIssue, ISSUE_TASK, invoiceAuditFields, issueJobKey } from './create-invoice.js';
import { computeOrThrow, type InvoiceRequestData, toTaxDraft } from './invoice-draft.js';
import {
  INVOICE_NOT_CANCELLABLE,
  INVOICE_NOT_EDITABLE,
  INVOICE_NOT_FOUND,
  INVOICE_NOT_RETRYABLE,
  INVOICE_NOT_REVERSIBLE,
  INVOICE_OUTCOME_UNKNOWN,
  INVOICE_RED_IN_PROGRESS,
  RED_FORM_NOT_FOUND,
} from './invoicing.errors.js';
import { findInvoiceById, findInvoiceByRedForm, findInvoiceBySerial, transitionInvoice } from './invoicing.repo.js';
import type { Invoice } from './invoicing.tables.js';
import { applyFormOutcome, onRedFailed } from './red-flow.js';
import type { PatchInvoiceBody } from './routes/invoice.schemas.js';
import { decodeInvoiceRequest, invoiceRequestJson } from './stored-json.js';
import { loadTaxCodeTable } from './tax-code-table.js';

export async function getInvoiceOrThrow(deps: Deps, tenantId: string, serialNo: string): Promise<Invoice> {
  const invoice = await findInvoiceBySerial(deps.db.kysely, tenantId, serialNo);
  if (!invoice) throw new AppError(INVOICE_NOT_FOUND, `发票 ${serialNo} 不存在`);
  return invoice;
}

/**
 * The invoice of a request's caller: 404 INVOICE_NOT_FOUND outside the tenant, 403 ORG_NOT_ASSIGNED when a clerk asks
 * about a seller org not assigned to them (docs/console.md#roles-and-permissions).
 */
export async function getScopedInvoiceOrThrow(deps: Deps, request: FastifyRequest, serialNo: string): Promise<Invoice> {
  const invoice = await getInvoiceOrThrow(deps, getAuth(request).tenantId, serialNo);
  assertOrgAllowed(request, invoice.seller_tax_id);
  return invoice;
}

/**
 * Fixes a failed blue request (开票异常处理): the given fields replace the stored ones, the result is validated
 * again with the tax rules, and the request stays `failed` until it is retried.
 */
export async function patchFailedInvoice(
  deps: Deps,
  input: { tenantId: string; serialNo: string; patch: Static<typeof PatchInvoiceBody>; audit?: AuditMeta },
): Promise<Invoice> {
  const invoice = await getInvoiceOrThrow(deps, input.tenantId, input.serialNo);
  if (invoice.status !== 'failed' || invoice.is_red === 1)
    throw new AppError(INVOICE_NOT_EDITABLE, undefined, { status: invoice.status });
  // The channel may have recorded the old data: only a retry (same channel request id) may find out.
  if (invoice.failure_code === 'CHANNEL_OUTCOME_UNKNOWN') throw new AppError(INVOICE_OUTCOME_UNKNOWN);
  const current = decodeInvoiceRequest(invoice.request_json);
  const { totals, remark, drawer, ...rest } = input.patch;
  const data: InvoiceRequestData = { ...current, ...rest };
  if (totals !== undefined) {
    if (totals === null) delete data.totals;
    else data.totals = totals;
  }
  if (remark !== undefined) {
    if (remark === null) delete data.remark;
    else data.remark = remark;
  }
  if (drawer !== undefined) {
    if (drawer === null) delete data.drawer;
    else data.drawer = drawer;
  }
  const seller = await getSellerOrThrow(deps.db.kysely, input.tenantId, data.seller.taxId);
  const computed = computeOrThrow(toTaxDraft(data, seller.name), await loadTaxCodeTable(deps.db.kysely));
  const set = {
    request_json: invoiceRequestJson.encode(data),
    ...computedColumns(computed, data),
    // New data is a new request to the channel (the old one was refused, so nothing was recorded under it).
    channel_revision: invoice.channel_revision + 1,
    updated_at: deps.clock.now(),
  };
  const patched = await deps.db.kysely.transaction().execute(async (trx) => {
    if (!(await transitionInvoice(trx, invoice.id, 'patched', set))) throw new AppError(INVOICE_NOT_EDITABLE);
    const after = (await findInvoiceById(trx, invoice.id))!;
    await auditInvoicing(deps, trx, input.audit, {
      action: 'invoices.update',
      target: { type: 'invoice', id: invoice.serial_no },
      before: { ...invoiceAuditFields(invoice), request: current },
      after: { ...invoiceAuditFields(after), request: data },
    });
    return after;
  });
  return patched;
}

/** Appends an invoicing action's audit entry in its transaction (a caller without meta — a job — records none). */
export async function auditInvoicing(
  deps: Deps,
  trx: Transaction<Database>,
  meta: AuditMeta | undefined,
  change: AuditChange,
): Promise<void> {
  if (!meta) return;
  await appendAudit({ db: trx, clock: deps.clock }, meta, change);
  await scheduleAuditSealer({ db: trx, clock: deps.clock, jobs: deps.jobs });
}

/** Resubmits a failed request: a new revision with its own issue job (and channel request id). */
export async function retryInvoice(
  deps: Deps,
  input: { tenantId: string; serialNo: string; audit?: AuditMeta },
): Promise<Invoice> {
  const invoice = await getInvoiceOrThrow(deps, input.tenantId, input.serialNo);
  if (invoice.status !== 'failed') throw new AppError(INVOICE_NOT_RETRYABLE, undefined, { status: invoice.status });
  if (invoice.is_red === 1 && !invoice.red_form_id)
    throw new AppError(INVOICE_NOT_RETRYABLE, '红字确认单未成立，请重新发起红冲');
  await assertSellerBound(deps.db.kysely, input.tenantId, invoice.seller_tax_id);
  const revision = invoice.revision + 1;
  await deps.db.kysely.transaction().execute(async (trx) => {
    const ok = await transitionInvoice(trx, invoice.id, 'retried', {
      revision,
      failure_code: null,
      failure_reason: null,
      updated_at: deps.clock.now(),
    });
    if (!ok) throw new AppError(INVOICE_NOT_RETRYABLE);
    // A failed red gave its blue invoice back (onRedFailed): take it again, so one red stays in flight per blue
    // and no other red can be requested against what this one reverses.
    if (invoice.is_red === 1) await lockBlueForRed(deps, trx, invoice);
    await enqueueIssue(deps, trx, { ...invoice, revision });
    await auditInvoicing(deps, trx, input.audit, {
      action: 'invoices.retry',
      target: { type: 'invoice', id: invoice.serial_no },
      before: { status: invoice.status, revision: invoice.revision, failure: invoice.failure_reason },
      after: { status: 'pending', revision, failure: null },
    });
  });
  deps.jobs.notify();
  return (await findInvoiceById(deps.db.kysely, invoice.id))!;
}

async function lockBlueForRed(deps: Deps, trx: Transaction<Database>, red: Invoice): Promise<void> {
  const blue = await findInvoiceById(trx, red.blue_invoice_id ?? '');
  if (!blue || blue.status === 'red_pending') throw new AppError(INVOICE_RED_IN_PROGRESS);
  const locked = await transitionInvoice(trx, blue.id, 'red_requested', {
    status_before_red: blue.status,
    updated_at: deps.clock.now(),
  });
  if (!locked)
    throw new AppError(INVOICE_NOT_REVERSIBLE, `蓝字发票状态为 ${blue.status}，不能红冲`, { status: blue.status });
}

/**
 * Cancels a request that failed, or a pending one whose issue job has not started: the job is cancelled in the same
 * transaction, and a job a worker has claimed (it may have called the channel) makes the cancel a 409.
 */
export async function cancelInvoice(
  deps: Deps,
  input: { tenantId: string; serialNo: string; audit?: AuditMeta },
): Promise<Invoice> {
  const invoice = await getInvoiceOrThrow(deps, input.tenantId, input.serialNo);
  const ok = await deps.db.kysely.transaction().execute(async (trx) => {
    const now = deps.clock.now();
    const cancelled = await transitionInvoice(trx, invoice.id, 'cancelled', { updated_at: now });
    if (!cancelled) return false;
    if (invoice.status === 'pending') {
      const job = await cancelUnstartedJob(trx, { task: ISSUE_TASK, key: issueJobKey(invoice), now });
      if (job === 'started') {
        throw new AppError(INVOICE_NOT_CANCELLABLE, undefined, { status: invoice.status, issueStarted: true });
      }
    }
    if (invoice.is_red === 1) await onRedFailed(deps, trx, invoice);
    await auditInvoicing(deps, trx, input.audit, {
      action: 'invoices.cancel',
      target: { type: 'invoice', id: invoice.serial_no },
      before: { status: invoice.status },
      after: { status: 'cancelled' },
    });
    return true;
  });
  if (!ok) throw new AppError(INVOICE_NOT_CANCELLABLE, undefined, { status: invoice.status });
  return (await findInvoiceById(deps.db.kysely, invoice.id))!;
}

/** The red invoice request a confirmation form belongs to, or RED_FORM_NOT_FOUND (also for another tenant's form). */
export async function getRedByFormOrThrow(deps: Deps, tenantId: string, formId: string): Promise<Invoice> {
  const red = await findInvoiceByRedForm(deps.db.kysely, tenantId, formId);
  if (!red) throw new AppError(RED_FORM_NOT_FOUND);
  return red;
}

/**
 * The buyer's answer to a red confirmation form. In the sandbox this simulates the buyer; with a real channel the
 * buyer answers on the tax platform and this endpoint is refused by the channel.
 */
export async function decideRedForm(
  deps: Deps,
  input: { tenantId: string; formId: string; decision: 'confirm' | 'reject'; reason?: string; audit?: AuditMeta },
): Promise<Invoice> {
  const red = await getRedByFormOrThrow(deps, input.tenantId, input.formId);
  let form: Awaited<ReturnType<Deps['channel']['decideRedForm']>>;
  try {
    form = await deps.channel.decideRedForm({ tenantId: input.tenantId }, input.formId, input.decision);
  } catch (err) {
    if (err instanceof ChannelError) throw channelErrorToAppError(err);
    throw err;
  }
  await deps.db.kysely.transaction().execute(async (trx) => {
    await applyFormOutcome(deps, trx, red, form);
    await auditInvoicing(deps, trx, input.audit, {
      action: `red_forms.${input.decision}`,
      target: { type: 'red_form', id: red.red_form_no ?? input.formId },
      before: { status: red.red_form_status, redSerialNo: red.serial_no },
      after: { status: form.status, redSerialNo: red.serial_no, ...(input.reason ? { reason: input.reason } : {}) },
    });
  });
  deps.jobs.notify();
  return (await findInvoiceById(deps.db.kysely, red.id))!;
}
