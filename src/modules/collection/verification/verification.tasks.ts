/**
 * The verification stage's background work: `collection/verify-received` (one verification: on demand, deferred by
 * the provider's limits, nightly) and `collection/reverify-nightly` (each night, re-verifies the items verified 正常
 * that are not booked yet, spread over 01:00–06:00 China time within a share of the daily quota, so a later red
 * reversal or void is caught).
 */
import { Type } from 'typebox';
import { type Clock, chinaDay, chinaDayStart } from '../../../platform/clock.js';
import type { Deps } from '../../../platform/deps.js';
import { DEFAULT_TASK_ATTEMPTS, defineTask } from '../../../platform/jobs/index.js';
import type { JobsRuntime } from '../../../platform/jobs-runtime.js';
import { purgeVerificationUsage } from '../../channels/index.js';
import { findReverifyCandidates } from './verification.repo.js';
import { REVERIFY_NIGHTLY_TASK, VERIFY_RECEIVED_TASK } from './verification-task-ids.js';
import { recordVerificationFailure, verifyReceivedInvoice } from './verify-received.js';

/** The nightly window, in hours after China midnight. */
export const NIGHTLY_WINDOW = { startHour: 1, endHour: 6 } as const;
/** Share of the provider's daily quota the nightly re-verification may use (the rest is for new invoices). */
export const NIGHTLY_QUOTA_SHARE = 0.5;

const HOUR_MS = 3_600_000;

/** The next China day after `day`. */
function nextDay(day: string): string {
  return chinaDay(chinaDayStart(day) + 36 * HOUR_MS).day;
}

export const verifyReceivedTask = defineTask({
  id: VERIFY_RECEIVED_TASK,
  payload: Type.Object({
    tenantId: Type.String({ maxLength: 64 }),
    receivedId: Type.String({ maxLength: 64 }),
    reason: Type.Optional(
      Type.Union([
        Type.Literal('intake'),
        Type.Literal('on_demand'),
        Type.Literal('nightly'),
        Type.Literal('deferred'),
        Type.Literal('retry'),
        Type.Literal('reread'),
      ]),
    ),
  }),
  maxAttempts: DEFAULT_TASK_ATTEMPTS,
  handler: async (deps: Deps, payload, helpers) => {
    const outcome = await verifyReceivedInvoice(deps, payload, {
      onTransient: 'throw',
      inTransaction: (trx) => helpers.complete(trx),
    });
    if (outcome.kind === 'deferred') {
      helpers.logger.info({ retryAt: outcome.retryAt, why: outcome.reason }, 'verification rescheduled');
    }
  },
  onDead: async (deps: Deps, payload, { lastError }) => {
    await recordVerificationFailure(deps, payload, lastError);
  },
});

export const reverifyNightlyTask = defineTask({
  id: REVERIFY_NIGHTLY_TASK,
  payload: Type.Object({ night: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }) }),
  maxAttempts: DEFAULT_TASK_ATTEMPTS,
  jobKey: (payload) => payload.night,
  handler: async (deps: Deps, { night }, helpers) => {
    const queued = await queueNightlyReverification(deps, night);
    helpers.logger.info({ night, queued }, 'nightly re-verification queued');
    await purgeVerificationUsage(deps.db.kysely, deps.clock.now());
    await scheduleNightlyReverification(deps, nextDay(night));
  },
});

/**
 * Enqueues tonight's re-verifications: items verified 正常 before this China day, not booked (unused/claimed),
 * stalest first, at most {@link NIGHTLY_QUOTA_SHARE} of the daily quota, spread evenly over the night's window (what
 * is left waits for the next night, still stalest first). Idempotent per night: each job is keyed item + night.
 */
export async function queueNightlyReverification(deps: Deps, night: string): Promise<number> {
  const db = deps.db.kysely;
  const dayStart = chinaDayStart(night);
  const budget = Math.max(1, Math.floor(deps.config.channel.verifyDailyQuota * NIGHTLY_QUOTA_SHARE));
  const candidates: Array<{ id: string; tenant_id: string }> = [];
  let after: { verifiedAt: number; id: string } | null = null;
  while (candidates.length < budget) {
    const page = await findReverifyCandidates(db, {
      verifiedBefore: dayStart,
      after,
      limit: Math.min(500, budget - candidates.length),
    });
    candidates.push(...page);
    const last = page.at(-1);
    if (!last || page.length < 500) break;
    after = { verifiedAt: Number(last.verified_at), id: last.id };
  }
  const start = Math.max(deps.clock.now(), dayStart + NIGHTLY_WINDOW.startHour * HOUR_MS);
  const end = Math.max(start, dayStart + NIGHTLY_WINDOW.endHour * HOUR_MS);
  const step = candidates.length > 0 ? (end - start) / candidates.length : 0;
  for (let i = 0; i < candidates.length; i += 200) {
    const batch = candidates.slice(i, i + 200);
    await db.transaction().execute(async (trx) => {
      for (const [k, item] of batch.entries()) {
        await deps.jobs.enqueue(
          trx,
          VERIFY_RECEIVED_TASK,
          { tenantId: item.tenant_id, receivedId: item.id, reason: 'nightly' },
          { tenantId: item.tenant_id, runAt: Math.floor(start + (i + k) * step), key: `${item.id}:nightly:${night}` },
        );
      }
    });
  }
  if (candidates.length > 0) deps.jobs.notify();
  return candidates.length;
}

/**
 * Makes sure a nightly run is scheduled for `night` (default: the coming night — today's if it is before the window
 * ends, else tomorrow's). Called by each worker at start and by each run for the next night; the job key makes it
 * one job per night.
 */
export async function scheduleNightlyReverification(
  ctx: { readonly db: Deps['db']; readonly clock: Clock; readonly jobs: JobsRuntime },
  night?: string,
): Promise<void> {
  const now = ctx.clock.now();
  const today = chinaDay(now).day;
  const target = night ?? (now < chinaDayStart(today) + NIGHTLY_WINDOW.endHour * HOUR_MS ? today : nextDay(today));
  await ctx.jobs.enqueue(
    ctx.db.kysely,
    REVERIFY_NIGHTLY_TASK,
    { night: target },
    { runAt: chinaDayStart(target) + NIGHTLY_WINDOW.startHour * HOUR_MS },
  );
}

export const VERIFICATION_TASKS = [verifyReceivedTask, reverifyNightlyTask] as const;
