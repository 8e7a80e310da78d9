/**
 * `issue` on the simulated platform: idempotent by requestId, failure injection before anything is recorded, then
 * one sandbox transaction that numbers the invoice, consumes (or, for a red, restores) the credit quota, writes the
 * ledger row and — for a red — uses its confirmation form and updates the blue.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/database.js';
import { newId } from '../../../platform/ids.js';
import { composeDigitalInvoiceNumber, type InvoiceKind } from '../../../tax/index.js';
import { CHANNEL_ERRORS } from '../channels.errors.js';
import { ChannelError, type ChannelIssued, type ChannelIssueRequest } from '../issuing-channel.js';
import { injectFailure, startCall, timeoutAfterCommitError } from './failure-injection.js';
import { findLedgerByRequest, insertLedgerRow } from './ledger.repo.js';
import { type LedgerRow, toIssued, toLedgerLines } from './ledger-rows.js';
import {
  chinaDateParts,
  composeLegacyInvoiceCode,
  composeLegacyInvoiceNumber,
  deriveCheckCode,
  isLegacyKind,
  PLATFORM_CHANNEL_DIGIT,
  sellerRegion,
} from './numbering.js';
import { applyQuota } from './quota.js';
import { expireDueForms } from './red-forms.repo.js';
import { applyRedToBlue, claimRedForm } from './red-issue.js';
import { isRaceLoss, type SandboxContext } from './sandbox-context.js';
import type { SandboxSettings } from './sandbox-settings.js';
import { nextSequence } from './sequences.repo.js';
import { ledgerLinesJson } from './stored-json.js';

/** Issues a blue or red invoice on the sandbox. */
export async function issueOnSandbox(ctx: SandboxContext, request: ChannelIssueRequest): Promise<ChannelIssued> {
  const settings = await startCall(ctx, request.tenantId);
  const existing = await findLedgerByRequest(ctx.db, request.tenantId, request.requestId);
  if (existing) return toIssued(existing);
  const { invoice } = request;
  const late = await injectFailure(ctx, request.tenantId, settings, {
    operation: 'issue',
    buyerName: invoice.buyer.name,
    sellerTaxId: request.seller.taxId,
    kind: invoice.kind,
    amount: invoice.totals.amount,
  });
  if (request.red) {
    // Persist a lapse before the transaction, which a refusal would roll back.
    await expireDueForms(ctx.db, request.tenantId, { formId: request.red.redFormId }, ctx.clock.now());
  } else if (invoice.totals.amountFen < 0 || invoice.isRed) {
    throw new ChannelError('permanent', CHANNEL_ERRORS.RED_INVOICE_MISMATCH.code, '红字发票须附红字发票信息确认单');
  }
  let issued: ChannelIssued;
  try {
    issued = await ctx.db.transaction().execute((trx) => writeIssue(trx, ctx, request, settings));
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

async function writeIssue(
  trx: Kysely<Database>,
  ctx: SandboxContext,
  request: ChannelIssueRequest,
  settings: SandboxSettings,
): Promise<ChannelIssued> {
  const now = ctx.clock.now();
  const { invoice, seller, tenantId } = request;
  const region = sellerRegion(seller.regionCode, seller.taxId);
  if (!region) throw new ChannelError('permanent', CHANNEL_ERRORS.CHANNEL_REJECTED.code, '无法确定销方所在地区');
  const id = newId('sbl', now);
  const blue = request.red ? await claimRedForm(trx, request, id, now) : null;
  const numbering = await allocateNumber(trx, invoice.kind, region, now, `${tenantId}:${request.requestId}`);
  const sellerTaxId = seller.taxId.toUpperCase();
  const quotaFen = settings.quotaBasis === 'total' ? invoice.totals.totalFen : invoice.totals.amountFen;
  await applyQuota(trx, { tenantId, sellerTaxId, month: chinaDateParts(now).month }, quotaFen, settings, now);
  const row: LedgerRow = {
    id,
    tenant_id: tenantId,
    request_id: request.requestId,
    ...numbering,
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
    is_red: blue ? 1 : 0,
    blue_number: blue?.number ?? null,
    red_form_id: request.red?.redFormId ?? null,
    status: 'normal',
    red_amount_fen: 0,
    red_tax_fen: 0,
    updated_at: now,
  };
  await insertLedgerRow(trx, row);
  if (blue) await applyRedToBlue(trx, blue, invoice.totals, now);
  return toIssued(row);
}

/** 数电: yy + province + channel digit + 15-digit sequence per (yy, province) (tax-rules §2.1); legacy: code + 8. */
async function allocateNumber(
  trx: Kysely<Database>,
  kind: InvoiceKind,
  region: string,
  now: number,
  seed: string,
): Promise<Pick<LedgerRow, 'number' | 'code' | 'check_code'>> {
  const { year } = chinaDateParts(now);
  if (isLegacyKind(kind)) {
    const code = composeLegacyInvoiceCode(kind, region, year);
    const number = composeLegacyInvoiceNumber(await nextSequence(trx, `legacy:${code}`));
    return { number, code, check_code: deriveCheckCode(`${seed}:${code}:${number}`) };
  }
  const province = region.slice(0, 2);
  const sequence = await nextSequence(trx, `digital:${year % 100}:${province}`);
  const number = composeDigitalInvoiceNumber({ year, region: province, channel: PLATFORM_CHANNEL_DIGIT, sequence });
  return { number, code: '', check_code: null };
}
