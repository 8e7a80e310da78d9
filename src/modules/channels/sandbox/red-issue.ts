/**
 * The red-invoice side of `issue` (tax-rules §8.1 items 4–5): the form must be confirmed or need no confirmation,
 * one red invoice per form, amounts equal to the form's; afterwards the blue is 部分红冲 or 全额红冲.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/database.js';
import { fenToDecimalString } from '../../../tax/index.js';
import { CHANNEL_ERRORS } from '../channels.errors.js';
import type { LedgerStatus } from '../channels.tables.js';
import { ChannelError, type ChannelIssueRequest, type RedFormStatus } from '../issuing-channel.js';
import { addRedAmounts, getLedgerRow, setLedgerStatus } from './ledger.repo.js';
import type { LedgerRow } from './ledger-rows.js';
import { claimRedFormIf, findRedForm, type RedFormRow } from './red-forms.repo.js';

/** Form statuses that can carry a red invoice. */
export const USABLE_FORM_STATUSES: readonly RedFormStatus[] = ['confirmed', 'no_confirmation_needed'];

function fail(code: keyof typeof CHANNEL_ERRORS, message: string, details?: Record<string, unknown>): never {
  throw new ChannelError('permanent', CHANNEL_ERRORS[code].code, message, details);
}

/** Why a form in `status` cannot carry a red invoice. */
export function unusableFormError(form: RedFormRow): never {
  const details = { formNo: form.form_no, status: form.status };
  if (form.status === 'expired') fail('RED_FORM_EXPIRED', `确认单 ${form.form_no} 超72小时未确认，已作废`, details);
  if (form.status === 'used') fail('RED_FORM_ALREADY_USED', `确认单 ${form.form_no} 已开具红字发票`, details);
  const why = form.status === 'rejected' ? '购方已否认' : '尚待购方确认';
  fail('RED_FORM_NOT_CONFIRMED', `确认单 ${form.form_no} ${why}，不能开具红字发票`, details);
}

function assertMatchesForm(request: ChannelIssueRequest, form: RedFormRow): void {
  const red = request.red as NonNullable<ChannelIssueRequest['red']>;
  const { amountFen, taxFen } = request.invoice.totals;
  if (form.form_no !== red.redFormNo || form.blue_number !== red.blueNumber) {
    fail('RED_INVOICE_MISMATCH', `确认单 ${form.form_no} 对应蓝字发票 ${form.blue_number}，与请求不一致`);
  }
  if (form.seller_tax_id !== request.seller.taxId.toUpperCase()) {
    fail('RED_INVOICE_MISMATCH', '红字发票销方与确认单不一致');
  }
  if (Number(form.amount_fen) !== amountFen || Number(form.tax_fen) !== taxFen) {
    fail(
      'RED_INVOICE_MISMATCH',
      `红字发票金额 ${fenToDecimalString(amountFen)}、税额 ${fenToDecimalString(taxFen)} 与确认单` +
        `金额 ${fenToDecimalString(Number(form.amount_fen))}、税额 ${fenToDecimalString(Number(form.tax_fen))} 不一致`,
    );
  }
}

/** The request's form, checked against the request (number, blue, seller, amounts); throws when it does not match. */
export async function checkRedForm(db: Kysely<Database>, request: ChannelIssueRequest): Promise<RedFormRow> {
  const formId = (request.red as NonNullable<ChannelIssueRequest['red']>).redFormId;
  const form = await findRedForm(db, request.tenantId, formId);
  if (!form) fail('RED_FORM_NOT_FOUND', `红字发票信息确认单 ${formId} 不存在`);
  assertMatchesForm(request, form);
  return form;
}

/**
 * Claims the request's form for the red ledger row `redLedgerId` (status → used) inside the issuing transaction
 * (SQLite; PostgreSQL claims it inside the one-statement issue), and returns the blue invoice it reverses. The conditional update makes a second claim of one form fail.
 */
export async function claimRedForm(
  trx: Kysely<Database>,
  request: ChannelIssueRequest,
  redLedgerId: string,
  now: number,
): Promise<LedgerRow> {
  const form = await checkRedForm(trx, request);
  const claimed = await claimRedFormIf(trx, request.tenantId, form.id, USABLE_FORM_STATUSES, redLedgerId, now);
  if (!claimed) unusableFormError((await findRedForm(trx, request.tenantId, form.id)) ?? form);
  return getLedgerRow(trx, request.tenantId, form.blue_ledger_id);
}

/** Adds a red invoice's (negative) amounts to its blue and sets 部分红冲 / 全额红冲. */
export async function applyRedToBlue(
  trx: Kysely<Database>,
  blue: LedgerRow,
  red: { amountFen: number; taxFen: number },
  now: number,
): Promise<void> {
  const row = await addRedAmounts(trx, blue, red, now);
  const isFull =
    Number(row.amount_fen) + Number(row.red_amount_fen) === 0 && Number(row.tax_fen) + Number(row.red_tax_fen) === 0;
  const status: LedgerStatus = isFull ? 'reversed' : 'partially_reversed';
  await setLedgerStatus(trx, blue.id, status);
}
