import type { Transaction } from 'kysely';
import type { Database } from '../../platform/db/database.js';
import type { Deps } from '../../platform/deps.js';
import { buildRedRemark, getInvoiceKindInfo, type InvoiceKind } from '../../tax/index.js';
import type { ChannelRedForm } from '../channels/index.js';
import { enqueueIssue } from './create-invoice.js';
import { publishInvoiceEvent } from './invoice-events.js';
import { findInvoiceById, transitionInvoice, updateInvoiceById } from './invoicing.repo.js';
import type { Invoice } from './invoicing.tables.js';
import { computedInvoiceJson, decodeComputedInvoice } from './stored-json.js';

type Trx = Transaction<Database>;

/**
 * A red invoice was issued: the blue invoice takes the reversed amounts and becomes `reversed` (nothing left) or
 * `partially_reversed` (tax-rules §8.1, blue ledger statuses 7/8).
 */
export async function onRedIssued(deps: Deps, trx: Trx, red: Invoice): Promise<void> {
  const blue = await findInvoiceById(trx, red.blue_invoice_id ?? '');
  if (!blue) return;
  const reversedAmount = blue.reversed_amount_fen - red.amount_fen;
  const reversedTax = blue.reversed_tax_fen - red.tax_fen;
  const fully = reversedAmount >= blue.amount_fen && reversedTax >= blue.tax_fen;
  const reversed = await transitionInvoice(trx, blue.id, fully ? 'red_issued_full' : 'red_issued_partial', {
    reversed_amount_fen: reversedAmount,
    reversed_tax_fen: reversedTax,
    status_before_red: null,
    updated_at: deps.clock.now(),
  });
  if (reversed) await publishInvoiceEvent(deps, trx, 'invoice.reversed', blue, { redInvoiceId: red.id });
}

/** A red request failed (form rejected or expired, channel refusal): the blue invoice returns to its former state. */
export async function onRedFailed(deps: Deps, trx: Trx, red: Invoice): Promise<void> {
  const blue = await findInvoiceById(trx, red.blue_invoice_id ?? '');
  if (blue?.status !== 'red_pending') return;
  const back = blue.status_before_red === 'partially_reversed' ? 'red_released_to_partial' : 'red_released_to_issued';
  await transitionInvoice(trx, blue.id, back, {
    status_before_red: null,
    updated_at: deps.clock.now(),
  });
}

/** The 备注 a red invoice must carry for its kind (tax-rules §8.1 item 6, §8.2). */
export function redRemarkFor(kind: string, blue: Invoice, form: ChannelRedForm): string {
  const info = getInvoiceKindInfo(kind as InvoiceKind);
  if (info.isDigital) {
    return buildRedRemark({
      type: 'digital',
      blueInvoiceNumber: blue.number ?? '',
      confirmationFormNumber: form.formNo,
    });
  }
  if (info.isSpecial) {
    // Legacy 专票 reference a 16-digit 信息表编号; the sandbox's form plays that role with its last 16 digits.
    return buildRedRemark({ type: 'legacy_special', infoTableNumber: form.formNo.slice(-16) });
  }
  return buildRedRemark({
    type: 'legacy_ordinary',
    blueInvoiceCode: blue.code ?? '',
    blueInvoiceNumber: blue.number ?? '',
  });
}

/**
 * Records the channel's form on the red invoice and moves the flow on: a usable form (无需确认 or confirmed)
 * enqueues the red invoice's issue job; a rejected or expired one fails the red request and frees the blue invoice.
 */
export async function applyFormOutcome(deps: Deps, trx: Trx, red: Invoice, form: ChannelRedForm): Promise<void> {
  const blue = await findInvoiceById(trx, red.blue_invoice_id ?? '');
  if (!blue) return;
  const now = deps.clock.now();
  const computed = decodeComputedInvoice(red.computed_json);
  const remark = redRemarkFor(red.kind, blue, form);
  await updateInvoiceById(trx, red.id, {
    red_form_id: form.id,
    red_form_no: form.formNo,
    red_form_status: form.status,
    remark,
    computed_json: computedInvoiceJson.encode({ ...computed, remark }),
    updated_at: now,
  });
  if (form.status === 'confirmed' || form.status === 'no_confirmation_needed') {
    await enqueueIssue(deps, trx, red);
  } else if (form.status === 'rejected' || form.status === 'expired') {
    const failed = await transitionInvoice(trx, red.id, 'red_form_failed', {
      failure_code: form.status === 'rejected' ? 'RED_FORM_REJECTED' : 'RED_FORM_EXPIRED',
      failure_reason:
        form.status === 'rejected' ? '购买方否认了红字发票信息确认单' : '红字发票信息确认单超过72小时未确认，已作废',
      updated_at: now,
    });
    if (failed) {
      await onRedFailed(deps, trx, red);
      await publishInvoiceEvent(deps, trx, 'invoice.failed', red);
    }
  } else if (form.status === 'pending_buyer' && form.confirmBy !== null) {
    await deps.jobs.enqueue(
      trx,
      'invoicing/check-red-form',
      { invoiceId: red.id },
      {
        tenantId: red.tenant_id,
        runAt: form.confirmBy + 1000,
        key: `${red.id}:${form.confirmBy}`,
      },
    );
  }
}
