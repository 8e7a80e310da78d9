/**
 * The verification provider's limits (#14 §3: "a per-provider rate and daily quota, queued not dropped"): a rate
 * per second (GCRA: bursts up to one second's worth, then evenly spaced) and a daily quota per China day, both
 * counted in the database so that every process of an installation shares them. Each acquisition is one or two
 * single-statement upserts; nothing is locked across a round trip. A refusal says when to try again: the job system
 * then reschedules the verification for that time (queued, never dropped).
 */

import type { Kysely } from 'kysely';
import { chinaDay, DAY_MS } from '../../platform/clock.js';
import type { Database } from '../../platform/db/database.js';
import {
  deleteQuotaPeriodsBefore,
  readQuotaUsed,
  readRateTat,
  takeQuotaUnit,
  takeRateSlot,
} from './verification-limits.repo.js';

/** The limits of one provider (config VERIFY_RATE_PER_SECOND, VERIFY_DAILY_QUOTA). */
export interface VerificationLimits {
  readonly ratePerSecond: number;
  readonly dailyQuota: number;
}

export type VerificationSlot =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'rate' | 'quota'; readonly retryAt: number };

/** The China day of an instant and the next day's start: platform/clock.ts (one helper for every module). */
export { chinaDay };

/**
 * Takes one call of `provider`: first a rate slot, then a unit of today's quota. Refused by the rate: retry when the
 * next slot frees; by the quota: at the start of the next China day.
 */
export async function acquireVerificationSlot(
  db: Kysely<Database>,
  provider: string,
  limits: VerificationLimits,
  now: number,
): Promise<VerificationSlot> {
  const intervalMs = Math.max(1, Math.ceil(1000 / limits.ratePerSecond));
  const toleranceMs = Math.max(0, 1000 - intervalMs);
  const tat = await takeRateSlot(db, provider, now, intervalMs, toleranceMs);
  if (tat === undefined) {
    const current = await readRateTat(db, provider);
    return { ok: false, reason: 'rate', retryAt: Math.max(now + 1, current - toleranceMs) };
  }
  const { day, nextStart } = chinaDay(now);
  const used = await takeQuotaUnit(db, provider, `day:${day}`, limits.dailyQuota);
  if (used === undefined) return { ok: false, reason: 'quota', retryAt: nextStart };
  return { ok: true };
}

/** Calls of `provider` counted today (China time) and what is left of the quota. */
export async function readVerificationUsage(
  db: Kysely<Database>,
  provider: string,
  limits: VerificationLimits,
  now: number,
): Promise<{ day: string; used: number; remaining: number }> {
  const { day } = chinaDay(now);
  const used = await readQuotaUsed(db, provider, `day:${day}`);
  return { day, used, remaining: Math.max(0, limits.dailyQuota - used) };
}

/** Drops day counters older than a week (the nightly run calls it). */
export async function purgeVerificationUsage(db: Kysely<Database>, now: number): Promise<void> {
  await deleteQuotaPeriodsBefore(db, `day:${chinaDay(now - 7 * DAY_MS).day}`);
}
