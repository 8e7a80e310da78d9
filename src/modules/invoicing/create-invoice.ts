import { requestHash } from '../../platform/canonical-json.js';
import type { Deps } from '../../platform/deps.js';
import { assertSameRequest } from '../../platform/idempotency.js';
import { newId } from '../../platform/ids.js';
import type { DispatchSlot, Job } from '../../platform/jobs/index.js';
import { type ComputedInvoice, fenToDecimalString } from '../../tax/index.js';
import {
  type AuditMeta,
  appendAudit,
  auditInsertAfter,
  auditRow,
  auditSealerAfter,
  scheduleAuditSealer,
} from '../audit/index.js';
import { getIssuingSellerOrThrow, type Org } from '../orgs/index.js';
import { computeOrThrow, type InvoiceRequestData, toTaxDraft } from './invoice-draft.js';
import { INITIAL_INVOICE_STATUS } from './invoice-state-machine.js';
import { findInvoiceBySerial, insertInvoice, insertInvoiceWithJob } from './invoicing.repo.js';
import type { Invoice, InvoiceOrigin } from './invoicing.tables.js';
import { buyerJson, computedInvoiceJson, invoiceRequestJson, sellerJson } from './stored-json.js';
import { loadTaxCodeTable } from './tax-code-table.js';

export interface CreateInvoiceInput {
  tenantId: string;
  /** Who is asking: the invoicing API (`direct`) or another module's intake (`scan_order`, …). Not part of the key. */
  origin: InvoiceOrigin;
  serialNo: string;
  data: InvoiceRequestData;
  /** Who asked (a console user or an API app): the create is audited (`invoices.create`) in its own statement. */
  audit?: AuditMeta;
}

/**
 * Accepts a blue invoice request: idempotent by serial number (same payload → the same invoice; another payload →
 * 409 IDEMPOTENCY_CONFLICT), validated by the tax rules, stored as `pending` together with its issue job in one
 * transaction — on PostgreSQL in one statement. Concurrent identical requests insert once (unique tenant + serial
 * number). Nothing is read before the insert: a replay is found by the insert's conflict (or, when the request no
 * longer validates, by the lookup that error makes), then compared by its request hash.
 */
export async function createInvoice(
  deps: Deps,
  input: CreateInvoiceInput,
  hooks: {
    /** Called with the new invoice's id right before it is inserted (e.g. to begin watching its settling). */
    beforeInsert?: (invoiceId: string) => void;
  } = {},
): Promise<{ invoice: Invoice; created: boolean }> {
  const db = deps.db.kysely;
  const hash = requestHash({ serialNo: input.serialNo, ...input.data });
  let invoice: Invoice;
  try {
    const seller = await getIssuingSellerOrThrow(db, input.tenantId, input.data.seller.taxId);
    const computed = computeOrThrow(toTaxDraft(input.data, seller.name), await loadTaxCodeTable(db));
    invoice = buildInvoiceRow(deps.clock.now(), input, hash, seller, computed);
  } catch (err) {
    // A replay gets what was stored even when it would no longer validate (the seller unbound since, say).
    const existing = await findInvoiceBySerial(db, input.tenantId, input.serialNo);
    if (existing) return { invoice: assertSameInvoiceRequest(existing, hash), created: false };
    throw err;
  }
  hooks.beforeInsert?.(invoice.id);
  // With a free slot of this process's worker the issue job is inserted claimed by it and runs at once (direct
  // dispatch: no claim statement); otherwise it is queued and the worker is woken.
  const slot = deps.jobs.reserve();
  /** The committed issue job (undefined: the invoice or its job was not inserted, or the insert failed). */
  let job: Job | undefined;
  // The audit entry of a console user's or an API app's request rides on the same statement / transaction.
  const audit = input.audit ? auditRow(input.audit, createdAuditChange(invoice), invoice.created_at) : null;
  try {
    if (deps.db.dialect === 'postgres') {
      const issue = deps.jobs.enqueueAfterRow(
        'ins',
        ISSUE_TASK,
        { invoiceId: invoice.id },
        issueOptions(invoice, slot),
      );
      const inserted = await insertInvoiceWithJob(
        db,
        invoice,
        issue.sql,
        audit ? { entry: auditInsertAfter(audit, 'ins'), sealer: auditSealerAfter(deps, 'ins') } : undefined,
      );
      if (!inserted) return await replayOf(deps, input, hash);
      if (inserted.jobInserted) job = issue.job;
    } else {
      const inserted = await db.transaction().execute(async (trx) => {
        if (!(await insertInvoice(trx, invoice))) return null;
        const issued = await enqueueIssue(deps, trx, invoice, slot);
        if (input.audit) {
          await appendAudit({ db: trx, clock: deps.clock }, input.audit, createdAuditChange(invoice));
          await scheduleAuditSealer({ db: trx, clock: deps.clock, jobs: deps.jobs });
        }
        return { job: issued.job };
      });
      if (!inserted) return await replayOf(deps, input, hash);
      job = inserted.job;
    }
  } finally {
    if (slot && !job) slot.release();
  }
  if (slot && job) {
    // The job runs here and now: it starts from the row just written (handed to its run) instead of reading it back.
    slot.run(job, { ...invoice } satisfies Invoice);
  } else deps.jobs.notify();
  return { invoice, created: true };
}

/** The audit entry of an accepted request: what was asked for (the request itself is on the invoice). */
function createdAuditChange(invoice: Invoice) {
  return {
    action: 'invoices.create',
    target: { type: 'invoice', id: invoice.serial_no },
    after: invoiceAuditFields(invoice),
  };
}

/** The fields of an invoice an audit entry shows (before/after of invoicing actions). */
export function invoiceAuditFields(invoice: Invoice) {
  return {
    status: invoice.status,
    kind: invoice.kind,
    sellerTaxId: invoice.seller_tax_id,
    buyerName: invoice.buyer_name,
    buyerTaxId: invoice.buyer_tax_id,
    amount: fenToDecimalString(invoice.amount_fen),
    tax: fenToDecimalString(invoice.tax_fen),
    total: fenToDecimalString(invoice.total_fen),
    remark: invoice.remark,
    revision: invoice.revision,
    ...(invoice.is_red === 1 ? { isRed: true, redReason: invoice.red_reason } : {}),
  };
}

/** The invoice that won the serial number (inserted concurrently or earlier), if it is the same request. */
async function replayOf(
  deps: Deps,
  input: CreateInvoiceInput,
  hash: string,
): Promise<{ invoice: Invoice; created: false }> {
  const winner = await findInvoiceBySerial(deps.db.kysely, input.tenantId, input.serialNo);
  return { invoice: assertSameInvoiceRequest(winner!, hash), created: false };
}

const issueOptions = (invoice: Pick<Invoice, 'id' | 'tenant_id' | 'revision'>, slot?: DispatchSlot | null) => ({
  tenantId: invoice.tenant_id,
  key: issueJobKey(invoice),
  ...(slot ? { slot } : {}),
});

function assertSameInvoiceRequest(invoice: Invoice, hash: string): Invoice {
  return assertSameRequest(invoice, hash, {
    message: `流水号 ${invoice.serial_no} 已用于内容不同的开票请求`,
    details: { serialNo: invoice.serial_no },
  });
}

/** The issue task's id. */
export const ISSUE_TASK = 'invoicing/issue-invoice';

/** The key of an invoice revision's issue job (the job key is `{ISSUE_TASK}:{issueJobKey}`). */
export function issueJobKey(invoice: Pick<Invoice, 'id' | 'revision'>): string {
  return `${invoice.id}:${invoice.revision}`;
}

/** The issue job of an invoice's current revision (one job per revision, deduplicated by key). */
export async function enqueueIssue(
  deps: Deps,
  trx: Parameters<Deps['jobs']['enqueue']>[0],
  invoice: Pick<Invoice, 'id' | 'tenant_id' | 'revision'>,
  slot?: DispatchSlot | null,
) {
  return deps.jobs.enqueue(trx, ISSUE_TASK, { invoiceId: invoice.id }, issueOptions(invoice, slot));
}

/** Snapshot columns of a computed invoice (shared by create, patch and red). */
export function computedColumns(computed: ComputedInvoice, data: InvoiceRequestData) {
  return {
    kind: computed.kind,
    buyer_name: data.buyer.name,
    buyer_tax_id: data.buyer.taxId ?? null,
    buyer_json: buyerJson.encode({ ...data.buyer, naturalPerson: computed.buyer.naturalPerson }),
    computed_json: computedInvoiceJson.encode(computed),
    amount_fen: computed.totals.amountFen,
    tax_fen: computed.totals.taxFen,
    total_fen: computed.totals.totalFen,
    remark: data.remark ?? null,
    drawer: data.drawer ?? null,
  };
}

export function sellerSnapshot(seller: Org): string {
  return sellerJson.encode({
    taxId: seller.tax_id,
    name: seller.name,
    address: seller.address,
    phone: seller.phone,
    bankName: seller.bank_name,
    bankAccount: seller.bank_account,
    regionCode: seller.region_code,
  });
}

/** The state columns of a request that has just been accepted (blue; red rows override the red columns). */
export const NEW_REQUEST_STATE = {
  status: INITIAL_INVOICE_STATUS,
  revision: 0,
  channel_revision: 0,
  number: null,
  code: null,
  check_code: null,
  issued_at: null,
  failure_code: null,
  failure_reason: null,
  is_red: 0,
  blue_invoice_id: null,
  red_reason: null,
  red_form_id: null,
  red_form_no: null,
  red_form_status: null,
  status_before_red: null,
  reversed_amount_fen: 0,
  reversed_tax_fen: 0,
} as const satisfies Partial<Invoice>;

function buildInvoiceRow(
  now: number,
  input: CreateInvoiceInput,
  hash: string,
  seller: Org,
  computed: ComputedInvoice,
): Invoice {
  return {
    id: newId('inv', now),
    tenant_id: input.tenantId,
    serial_no: input.serialNo,
    request_hash: hash,
    request_json: invoiceRequestJson.encode(input.data),
    business_system_code: input.data.businessSystemCode ?? null,
    origin: input.origin,
    seller_tax_id: seller.tax_id,
    seller_json: sellerSnapshot(seller),
    ...computedColumns(computed, input.data),
    ...NEW_REQUEST_STATE,
    created_at: now,
    updated_at: now,
  };
}
