/**
 * 红字发票信息确认单 on the simulated platform (tax-rules §8.1): validated against the ledger, numbered, and given
 * the buyer's answer — none needed for a natural person or a buyer without a tax id, else as the tenant's
 * `redFormBuyerDecision` setting says (the simulated buyer confirms, rejects, or waits for decideRedForm).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/database.js';
import { newId } from '../../../platform/ids.js';
import { isDecimalString, toFen } from '../../../tax/index.js';
import { CHANNEL_ERRORS } from '../channels.errors.js';
import {
  ChannelError,
  type ChannelRedForm,
  type ChannelRedFormRequest,
  type RedFormStatus,
} from '../issuing-channel.js';
import { injectFailure, startCall, timeoutAfterCommitError } from './failure-injection.js';
import { findLedgerByNumber, touchLedgerRow } from './ledger.repo.js';
import { type LedgerRow, parseLedgerLines } from './ledger-rows.js';
import { redFormNumbering } from './numbering.js';
import { checkRedClaim, type RedClaim } from './red-form-rules.js';
import {
  expireDueForms,
  findLiveRedClaims,
  findRedFormByRequest,
  insertNumberedRedForm,
  RED_FORM_CONFIRM_WINDOW_MS,
  type RedFormRow,
  readRedForm,
  toRedClaim,
  toRedForm,
} from './red-forms.repo.js';
import { isRaceLoss, type SandboxContext } from './sandbox-context.js';
import type { SandboxSettings } from './sandbox-settings.js';
import { redFormLinesJson } from './stored-json.js';

/** Applies for a form; idempotent by requestId. */
export async function applyRedFormOnSandbox(
  ctx: SandboxContext,
  request: ChannelRedFormRequest,
): Promise<ChannelRedForm> {
  const { tenantId } = request;
  const settings = await startCall(ctx, tenantId);
  const existing = await findRedFormByRequest(ctx.db, tenantId, request.requestId);
  if (existing) return toRedForm((await readRedForm(ctx.db, tenantId, existing.id, ctx.clock.now())) ?? existing);
  const blue = await findLedgerByNumber(ctx.db, tenantId, request.blue.number, request.blue.code ?? '');
  if (!blue || blue.is_red === 1 || blue.seller_tax_id !== request.sellerTaxId.toUpperCase()) {
    throw new ChannelError(
      'permanent',
      CHANNEL_ERRORS.BLUE_INVOICE_NOT_FOUND.code,
      `税局未找到销方 ${request.sellerTaxId} 开具的蓝字发票 ${request.blue.number}`,
    );
  }
  const claim = toClaim(request);
  const late = await injectFailure(ctx, tenantId, settings, {
    operation: 'apply_red_form',
    buyerName: blue.buyer_name,
    sellerTaxId: blue.seller_tax_id,
    kind: blue.kind,
    amount: request.amount,
  });
  let form: RedFormRow;
  try {
    form = await ctx.db.transaction().execute((trx) => writeForm(trx, ctx, request, blue.id, claim, settings));
  } catch (err) {
    // A concurrent call with the same requestId may have won (see issue-on-sandbox.ts): its answer stands.
    const winner = isRaceLoss(err) ? await findRedFormByRequest(ctx.db, tenantId, request.requestId) : null;
    if (!winner) throw err;
    form = winner;
  }
  if (late) throw timeoutAfterCommitError(late);
  return toRedForm(form);
}

function toClaim(request: ChannelRedFormRequest): RedClaim {
  const amounts = [request.amount, request.tax, ...request.lines.flatMap((l) => [l.amount, l.taxAmount])];
  if (!amounts.every(isDecimalString)) {
    throw new ChannelError('permanent', CHANNEL_ERRORS.RED_AMOUNT_INVALID.code, '红字金额不是有效的金额');
  }
  return toRedClaim({
    amount_fen: toFen(request.amount),
    tax_fen: toFen(request.tax),
    lines_json: redFormLinesJson.encode([...request.lines]),
  });
}

async function writeForm(
  trx: Kysely<Database>,
  ctx: SandboxContext,
  request: ChannelRedFormRequest,
  blueId: string,
  claim: RedClaim,
  settings: SandboxSettings,
): Promise<RedFormRow> {
  const now = ctx.clock.now();
  const { tenantId } = request;
  await expireDueForms(trx, tenantId, { blueLedgerId: blueId }, now);
  // Touching the blue row locks it (PostgreSQL), so concurrent forms against one blue are checked one at a time.
  const blue = await touchLedgerRow(trx, tenantId, blueId, now);
  const earlier = await findLiveRedClaims(trx, tenantId, blueId);
  const blueFacts = { amountFen: Number(blue.amount_fen), taxFen: Number(blue.tax_fen), lines: parseLedgerLines(blue) };
  const problem = checkRedClaim(request.reason, blueFacts, earlier.map(toRedClaim), claim);
  if (problem) throw new ChannelError('permanent', problem.code, problem.message);
  const row: Omit<RedFormRow, 'form_no'> = {
    id: newId('srf', now),
    tenant_id: tenantId,
    request_id: request.requestId,
    seller_tax_id: blue.seller_tax_id,
    buyer_name: blue.buyer_name,
    buyer_tax_id: blue.buyer_tax_id,
    blue_ledger_id: blue.id,
    blue_number: blue.number,
    reason: request.reason,
    amount_fen: claim.amountFen,
    tax_fen: claim.taxFen,
    lines_json: redFormLinesJson.encode([...request.lines]),
    applied_at: now,
    red_ledger_id: null,
    updated_at: now,
    ...initialDecision(blue, settings, now),
  };
  // Numbered last, in the insert itself: the day's form sequence is locked only until COMMIT.
  return insertNumberedRedForm(trx, ctx.dialect, row, redFormNumbering(blue.seller_region, now));
}

/** No confirmation for a natural person or a buyer without a tax id (§8.1 item 1 [M]); else the setting decides. */
function initialDecision(
  blue: LedgerRow,
  settings: SandboxSettings,
  now: number,
): { status: RedFormStatus; confirm_by: number | null; decided_at: number | null } {
  if (blue.buyer_natural_person === 1 || !blue.buyer_tax_id) {
    return { status: 'no_confirmation_needed', confirm_by: null, decided_at: null };
  }
  const confirmBy = now + RED_FORM_CONFIRM_WINDOW_MS;
  switch (settings.redFormBuyerDecision) {
    case 'auto_confirm':
      return { status: 'confirmed', confirm_by: confirmBy, decided_at: now };
    case 'auto_reject':
      return { status: 'rejected', confirm_by: confirmBy, decided_at: now };
    case 'manual':
      return { status: 'pending_buyer', confirm_by: confirmBy, decided_at: null };
  }
}
