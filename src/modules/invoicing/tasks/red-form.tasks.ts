import type { Deps } from '../../../platform/deps.js';
import type { TaskHelpers } from '../../../platform/jobs/index.js';
import { fenToDecimalString, type RedReason } from '../../../tax/index.js';
import { ChannelError } from '../../channels/index.js';
import { findOrgChannelBinding, sellerNotBoundMessage } from '../../orgs/index.js';
import { publishInvoiceEvent } from '../invoice-events.js';
import { channelFailureCode, type InvoiceFailureCode } from '../invoicing.errors.js';
import { findInvoiceById, transitionInvoice } from '../invoicing.repo.js';
import type { Invoice } from '../invoicing.tables.js';
import { applyFormOutcome, onRedFailed } from '../red-flow.js';
import { decodeComputedInvoice, decodeRedRequest } from '../stored-json.js';

/** Applies for the 红字发票信息确认单 of a pending red request (idempotent by the red invoice id). */
export async function runApplyRedForm(deps: Deps, invoiceId: string, helpers: TaskHelpers): Promise<void> {
  const db = deps.db.kysely;
  const red = await findInvoiceById(db, invoiceId);
  if (red?.status !== 'pending' || red.red_form_id) return;
  const blue = await findInvoiceById(db, red.blue_invoice_id ?? '');
  if (!blue?.number || blue.issued_at === null) return;
  if (!(await findOrgChannelBinding(db, red.tenant_id, red.seller_tax_id))) {
    await failRed(deps, red, 'SELLER_NOT_BOUND', sellerNotBoundMessage(red.seller_tax_id));
    return;
  }
  const data = decodeRedRequest(red.request_json);
  const computed = decodeComputedInvoice(red.computed_json);
  try {
    const form = await deps.channel.applyRedForm({
      tenantId: red.tenant_id,
      requestId: red.id,
      sellerTaxId: red.seller_tax_id,
      buyerTaxId: red.buyer_tax_id,
      buyerName: red.buyer_name,
      buyerNaturalPerson: computed.buyer.naturalPerson,
      blue: {
        number: blue.number,
        kind: blue.kind,
        issuedAt: blue.issued_at,
        amount: fenToDecimalString(blue.amount_fen),
        tax: fenToDecimalString(blue.tax_fen),
      },
      reason: data.reason as RedReason,
      lines: data.redLines.map((l) => ({
        blueLineNo: l.blueLineNo,
        quantity: l.quantity ?? null,
        amount: l.amount,
        taxAmount: l.tax,
      })),
      amount: computed.totals.amount,
      tax: computed.totals.tax,
    });
    await db.transaction().execute((trx) => applyFormOutcome(deps, trx, red, form));
    deps.jobs.notify();
    helpers.logger.info({ serialNo: red.serial_no, formNo: form.formNo, status: form.status }, 'red form applied');
  } catch (err) {
    if (err instanceof ChannelError && err.kind === 'permanent') {
      await failRed(deps, red, channelFailureCode(err), err.message);
      return;
    }
    if (helpers.job.attempts >= helpers.job.max_attempts) {
      await failRed(deps, red, 'CHANNEL_UNAVAILABLE', '开票通道暂时不可用，红字确认单申请失败');
      return;
    }
    throw err;
  }
}

/** After the 72-hour window: reads the form's final state (expired, or decided elsewhere) and moves the flow on. */
export async function runCheckRedForm(deps: Deps, invoiceId: string): Promise<void> {
  const red = await findInvoiceById(deps.db.kysely, invoiceId);
  if (red?.status !== 'pending' || !red.red_form_id) return;
  const form = await deps.channel.getRedForm({ tenantId: red.tenant_id }, red.red_form_id);
  if (!form || form.status === red.red_form_status) return;
  await deps.db.kysely.transaction().execute((trx) => applyFormOutcome(deps, trx, red, form));
  deps.jobs.notify();
}

/** A red-form job went dead: the red request fails (a person may request the red again) and the blue is freed. */
export async function failStuckRed(deps: Deps, invoiceId: string): Promise<void> {
  const red = await findInvoiceById(deps.db.kysely, invoiceId);
  if (red?.status !== 'pending') return;
  await failRed(deps, red, 'RED_FORM_INTERRUPTED', '红字确认单处理中断（后台任务多次未完成），请重新发起红冲');
}

async function failRed(deps: Deps, red: Invoice, code: InvoiceFailureCode, reason: string): Promise<void> {
  await deps.db.kysely.transaction().execute(async (trx) => {
    const failed = await transitionInvoice(trx, red.id, 'red_form_failed', {
      failure_code: code,
      failure_reason: reason,
      updated_at: deps.clock.now(),
    });
    if (!failed) return;
    await onRedFailed(deps, trx, red);
    await publishInvoiceEvent(deps, trx, 'invoice.failed', red);
  });
}
