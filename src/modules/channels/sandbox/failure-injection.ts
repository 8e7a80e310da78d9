import { ChannelError } from '../issuing-channel.js';
import { type CallFacts, drawRandomFailure, matchingRuleIndexes } from './failure-rules.js';
import type { SandboxContext } from './sandbox-context.js';
import type { SandboxRule, SandboxSettings } from './sandbox-settings.js';
import { claimRuleHit } from './settings.repo.js';

const TRANSIENT = { code: 'CHANNEL_UNAVAILABLE', message: '模拟税局暂时不可用，请稍后重试' };
const PERMANENT = { code: 'CHANNEL_REJECTED', message: '模拟税局拒绝了该请求' };

/** Every call starts here: the tenant's settings (cached, settings-cache.ts), then the simulated latency. */
export async function startCall(ctx: SandboxContext, tenantId: string): Promise<SandboxSettings> {
  const settings = await ctx.settings.get(ctx.db, tenantId);
  if (settings.latencyMs > 0) await ctx.sleep(settings.latencyMs);
  return settings;
}

/** The transient error a `timeout_after_commit` rule answers with after recording the request. */
export function timeoutAfterCommitError(rule: SandboxRule | null): ChannelError {
  return new ChannelError(
    'transient',
    rule?.code ?? 'CHANNEL_TIMEOUT',
    rule?.message ?? '模拟税局响应超时（请求可能已受理，请按请求号查询或重试）',
    { simulated: true },
  );
}

/** True when the tenant's settings can make a call fail on purpose (rules or random rates). */
export function hasFailureInjection(settings: SandboxSettings): boolean {
  return settings.rules.length > 0 || settings.transientFailureRate > 0 || settings.permanentFailureRate > 0;
}

/**
 * Applies the tenant's failure injection before anything is recorded: throws a transient or permanent
 * ChannelError, or returns the `timeout_after_commit` rule the caller must honour after committing (else null).
 * Rules come first (in order; an exhausted `times` rule lets the next one decide), then the random rates (unless
 * `random: false`: the buyer's red-form decisions and deduction writes fail by rule only).
 */
export async function injectFailure(
  ctx: SandboxContext,
  tenantId: string,
  settings: SandboxSettings,
  facts: CallFacts,
  options: { random?: boolean } = {},
): Promise<SandboxRule | null> {
  for (const index of matchingRuleIndexes(settings.rules, facts)) {
    const rule = settings.rules[index] as SandboxRule;
    if (rule.times !== undefined && !(await claimRuleHit(ctx.db, tenantId, index, rule.times))) continue;
    ctx.logger?.info({ tenantId, rule: index, effect: rule.fail, operation: facts.operation }, 'sandbox: rule fired');
    if (rule.fail === 'timeout_after_commit') return rule;
    const fallback = rule.fail === 'transient' ? TRANSIENT : PERMANENT;
    throw new ChannelError(rule.fail, rule.code ?? fallback.code, rule.message ?? fallback.message, {
      simulated: true,
      rule: index,
    });
  }
  if (options.random === false) return null;
  const drawn = drawRandomFailure(settings, ctx.random);
  if (drawn) {
    const fallback = drawn === 'transient' ? TRANSIENT : PERMANENT;
    throw new ChannelError(drawn, fallback.code, fallback.message, { simulated: true });
  }
  return null;
}

/** The facts of a 抵扣勾选 write (rules may look at `operation` and the first invoice's `kind`). */
export function deductionFacts(kind: string | undefined): CallFacts {
  return { operation: 'deduction', buyerName: '', sellerTaxId: '', kind: kind ?? '', amount: '0' };
}
