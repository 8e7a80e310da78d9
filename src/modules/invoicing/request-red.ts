import type { Static } from 'typebox';
import { requestHash } from '../../platform/canonical-json.js';
import type { Deps } from '../../platform/deps.js';
import { AppError } from '../../platform/errors/app-error.js';
import { IDEMPOTENCY_CONFLICT } from '../../platform/errors/platform.errors.js';
import { assertSameRequest } from '../../platform/idempotency.js';
import { newId } from '../../platform/ids.js';
import {
  type BlueLine,
  type ComputedInvoice,
  planRedLines,
  type RedLine,
  type RedLineRequest,
} from '../../tax/index.js';
import type { AuditMeta } from '../audit/index.js';
import { assertSellerBound } from '../orgs/index.js';
import { computedColumns, invoiceAuditFields, NEW_REQUEST_STATE } from './create-invoice.js';
import { INVOICE_NOT_FOUND, INVOICE_NOT_REVERSIBLE, INVOICE_RED_IN_PROGRESS } from './invoicing.errors.js';
import { findInvoiceBySerial, findRedsOfBlue, insertInvoice, transitionInvoice } from './invoicing.repo.js';
import type { Invoice, InvoiceOrigin } from './invoicing.tables.js';
import { auditInvoicing } from './manage-invoice.js';
import { computeRedOrThrow, type RedRequestData, redDraftData } from './red-draft.js';
import type { RedBody } from './routes/invoice.schemas.js';
import { decodeComputedInvoice, decodeRedRequest, redRequestJson } from './stored-json.js';
import { taxViolationsError } from './tax-violations-error.js';

export type RedRequestBody = Static<typeof RedBody>;

/**
 * Starts a red-letter reversal (红冲) of an issued blue invoice: checks the reason and amounts against what is
 * left of the blue invoice, stores the red request (`pending`) and its `apply-red-form` job, and marks the blue
 * invoice `red_pending` — one red in flight per blue invoice, enforced by a compare-and-set on its status.
 */
export async function requestRedInvoice(
  deps: Deps,
  input: {
    tenantId: string;
    origin: InvoiceOrigin;
    blueSerialNo: string;
    body: RedRequestBody;
    /** Who asked (console user, API app): audited as `invoices.red` on the blue invoice. */
    audit?: AuditMeta;
  },
): Promise<{ invoice: Invoice; created: boolean }> {
  const db = deps.db.kysely;
  const hash = requestHash({ blueSerialNo: input.blueSerialNo, ...input.body });
  const existing = await findInvoiceBySerial(db, input.tenantId, input.body.redSerialNo);
  if (existing) {
    const invoice = assertSameRequest(existing, hash, {
      message: `流水号 ${input.body.redSerialNo} 已用于内容不同的请求`,
      details: { serialNo: input.body.redSerialNo },
    });
    return { invoice, created: false };
  }
  const blue = await findInvoiceBySerial(db, input.tenantId, input.blueSerialNo);
  if (!blue) throw new AppError(INVOICE_NOT_FOUND, `发票 ${input.blueSerialNo} 不存在`);
  assertReversible(blue);
  await assertSellerBound(deps.db.kysely, input.tenantId, blue.seller_tax_id);

  const blueComputed = decodeComputedInvoice(blue.computed_json);
  const plan = planRedLines({
    reason: input.body.reason,
    blueLines: blueComputed.lines.map(toBlueLine),
    priorRedLines: await priorRedLines(deps, blue),
    ...(input.body.lines
      ? {
          requestedLines: input.body.lines.map((l) => ({
            blueLineNo: l.lineNo,
            amount: l.amount,
            ...(l.taxAmount === undefined ? {} : { tax: l.taxAmount }),
            ...(l.quantity === undefined ? {} : { quantity: l.quantity }),
          })),
        }
      : {}),
  });
  if (!plan.ok) throw taxViolationsError(plan.violations);
  const data = redDraftData(blue, blueComputed, plan.lines, input.body);
  const computed = await computeRedOrThrow(deps, data, blue);
  const red = buildRedRow(deps.clock.now(), input, hash, blue, data, computed);

  const outcome = await db.transaction().execute(async (trx) => {
    if (!(await insertInvoice(trx, red))) return 'duplicate' as const;
    const locked = await transitionInvoice(trx, blue.id, 'red_requested', {
      status_before_red: blue.status,
      updated_at: deps.clock.now(),
    });
    if (!locked) throw new AppError(INVOICE_RED_IN_PROGRESS);
    await deps.jobs.enqueue(trx, 'invoicing/apply-red-form', { invoiceId: red.id }, { tenantId: red.tenant_id });
    await auditInvoicing(deps, trx, input.audit, {
      action: 'invoices.red',
      target: { type: 'invoice', id: blue.serial_no },
      before: { status: blue.status },
      after: {
        status: 'red_pending',
        red: { ...invoiceAuditFields(red), serialNo: red.serial_no, partial: input.body.lines !== undefined },
      },
    });
    return 'created' as const;
  });
  if (outcome === 'duplicate') {
    const winner = await findInvoiceBySerial(db, input.tenantId, input.body.redSerialNo);
    if (!winner) throw new AppError(IDEMPOTENCY_CONFLICT);
    return { invoice: assertSameRequest(winner, hash), created: false };
  }
  deps.jobs.notify();
  return { invoice: red, created: true };
}

function assertReversible(blue: Invoice): void {
  if (blue.is_red === 1) throw new AppError(INVOICE_NOT_REVERSIBLE, '红字发票不能再红冲');
  if (blue.status === 'red_pending') throw new AppError(INVOICE_RED_IN_PROGRESS);
  if (blue.status !== 'issued' && blue.status !== 'partially_reversed') {
    throw new AppError(INVOICE_NOT_REVERSIBLE, `发票状态为 ${blue.status}，不能红冲`, { status: blue.status });
  }
}

export function toBlueLine(line: ComputedInvoice['lines'][number]): BlueLine {
  return {
    lineNo: line.lineNo,
    amount: line.amount,
    tax: line.tax,
    taxRate: line.taxRate,
    taxCode: line.taxCode,
    ...(line.quantity === undefined ? {} : { quantity: line.quantity }),
    ...(line.unitPrice === undefined ? {} : { unitPrice: line.unitPrice }),
  };
}

/** Lines of earlier reds that were issued (failed and cancelled reds reverse nothing). */
async function priorRedLines(deps: Deps, blue: Invoice): Promise<RedLineRequest[]> {
  const reds = await findRedsOfBlue(deps.db.kysely, blue.tenant_id, blue.id);
  return reds
    .filter((r) => r.status === 'issued')
    .flatMap((r) => decodeRedRequest(r.request_json).redLines)
    .map((l: RedLine) => ({
      blueLineNo: l.blueLineNo,
      amount: l.amount,
      tax: l.tax,
      ...(l.quantity ? { quantity: l.quantity } : {}),
    }));
}

function buildRedRow(
  now: number,
  input: { tenantId: string; origin: InvoiceOrigin },
  hash: string,
  blue: Invoice,
  data: RedRequestData,
  computed: ComputedInvoice,
): Invoice {
  return {
    ...blue,
    id: newId('inv', now),
    tenant_id: input.tenantId,
    // The red request's own origin (the blue invoice's may differ: a scan order's invoice reversed through the API).
    origin: input.origin,
    serial_no: data.redSerialNo,
    request_hash: hash,
    request_json: redRequestJson.encode(data),
    ...computedColumns(computed, data),
    ...NEW_REQUEST_STATE,
    is_red: 1,
    blue_invoice_id: blue.id,
    red_reason: data.reason,
    created_at: now,
    updated_at: now,
  };
}
