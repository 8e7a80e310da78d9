/** The simulated buyer's answer to a pending 红字确认单 (tax-rules §8.1 statuses 04 / 05). */
import { CHANNEL_ERRORS } from '../channels.errors.js';
import { ChannelError, type ChannelRedForm, type ChannelScope } from '../issuing-channel.js';
import { injectFailure, startCall, timeoutAfterCommitError } from './failure-injection.js';
import { decidePendingRedForm, findRedForm, readRedForm, toRedForm } from './red-forms.repo.js';
import type { SandboxContext } from './sandbox-context.js';

const STATUS_NAMES: Readonly<Record<string, string>> = {
  no_confirmation_needed: '无需确认',
  confirmed: '已确认',
  rejected: '已被购方否认',
  expired: '已超72小时未确认作废',
  used: '已开具红字发票',
};

/** Confirms or rejects a form pending the buyer; any other status → RED_FORM_NOT_PENDING. */
export async function decideRedFormOnSandbox(
  ctx: SandboxContext,
  scope: ChannelScope,
  formId: string,
  decision: 'confirm' | 'reject',
): Promise<ChannelRedForm> {
  const settings = await startCall(ctx, scope.tenantId);
  const now = ctx.clock.now();
  const form = await readRedForm(ctx.db, scope.tenantId, formId, now);
  if (!form) throw new ChannelError('permanent', CHANNEL_ERRORS.RED_FORM_NOT_FOUND.code, `确认单 ${formId} 不存在`);
  const late = await injectFailure(
    ctx,
    scope.tenantId,
    settings,
    { operation: 'decide_red_form', buyerName: '', sellerTaxId: form.seller_tax_id, kind: '', amount: '0' },
    { random: false },
  );
  const decided = await decidePendingRedForm(
    ctx.db,
    scope.tenantId,
    formId,
    decision === 'confirm' ? 'confirmed' : 'rejected',
    now,
  );
  if (late) throw timeoutAfterCommitError(late);
  if (decided) return toRedForm(decided);
  const current = (await findRedForm(ctx.db, scope.tenantId, formId)) ?? form;
  throw new ChannelError(
    'permanent',
    CHANNEL_ERRORS.RED_FORM_NOT_PENDING.code,
    `确认单 ${current.form_no} ${STATUS_NAMES[current.status] ?? current.status}，不能再确认或否认`,
    { status: current.status },
  );
}

/** A form of the tenant (after the expiry rule), or null. */
export async function getRedFormOnSandbox(
  ctx: SandboxContext,
  scope: ChannelScope,
  formId: string,
): Promise<ChannelRedForm | null> {
  await startCall(ctx, scope.tenantId);
  const form = await readRedForm(ctx.db, scope.tenantId, formId, ctx.clock.now());
  return form ? toRedForm(form) : null;
}
