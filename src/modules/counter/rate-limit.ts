import { createHmac } from 'node:crypto';
import type { Deps } from '../../platform/deps.js';
import { AppError } from '../../platform/errors/app-error.js';
import { deriveSigningKey } from '../documents/index.js';
import { COUNTER_RATE_LIMITED } from './counter.errors.js';
import { countHit, releaseHit } from './rate-limit.repo.js';

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;
const SHANGHAI_OFFSET_MS = 8 * 3600_000;

/** Start of the Asia/Shanghai calendar day containing `ms` (China has no daylight saving time). */
export function shanghaiDayStart(ms: number): number {
  return Math.floor((ms + SHANGHAI_OFFSET_MS) / DAY_MS) * DAY_MS - SHANGHAI_OFFSET_MS;
}

/** The task that forgets counter windows older than yesterday; scheduled by the first counted hit of a day. */
export const PRUNE_TASK = 'counter/prune-counters';

/** Per-window limits of a reservation QR's submissions (as for static links: per client and per QR). */
export interface CounterLimits {
  clientPerMinute: number;
  clientPerDay: number;
  qrPerMinute: number;
  qrPerDay: number;
}

export const DEFAULT_RESERVATION_LIMITS: CounterLimits = {
  clientPerMinute: 3,
  clientPerDay: 20,
  qrPerMinute: 30,
  qrPerDay: 2000,
};

/** Kiosk lookups: per client and per kiosk (wrong codes count like right ones: guessing is bounded). */
export const KIOSK_LIMITS = { clientPerMinute: 6, clientPerDay: 60, kioskPerMinute: 30, kioskPerDay: 2000 } as const;

/** Title suggestions: per client and per link. */
export const SUGGEST_LIMITS = { clientPerMinute: 30, clientPerDay: 600, linkPerMinute: 300 } as const;

/** One limit to check: a name for the answer, the scope and subject of its counter, its window and cap. */
export interface LimitCheck {
  name: string;
  scope: string;
  subject: string;
  window: 'minute' | 'day';
  cap: number;
}

/**
 * The keyed hash of a client address (HMAC with a key derived from the signing key, never the address itself), so
 * the counter table holds no IP addresses.
 */
export function clientKey(deps: Pick<Deps, 'config'>, ip: string): string {
  const key = deriveSigningKey(deps.config, 'openfapiao/counter-client/v1');
  return createHmac('sha256', key).update(ip).digest('base64url').slice(0, 22);
}

/**
 * Counts one request against every limit in order, all or nothing: each is one conditional upsert; when one
 * refuses, the ones already taken are given back, and 429 COUNTER_RATE_LIMITED answers with `Retry-After`.
 */
export async function enforceLimits(deps: Deps, checks: readonly LimitCheck[]): Promise<void> {
  const db = deps.db.kysely;
  const now = deps.clock.now();
  const taken: { scope: string; subject: string; windowStart: number }[] = [];
  for (const check of checks) {
    const windowStart = check.window === 'minute' ? Math.floor(now / MINUTE_MS) * MINUTE_MS : shanghaiDayStart(now);
    const hit = { scope: check.scope, subject: check.subject, windowStart };
    const count = await countHit(db, hit, check.cap);
    if (count === null) {
      for (const t of taken) await releaseHit(db, t);
      const retryAfterSeconds =
        check.window === 'minute'
          ? Math.max(1, Math.ceil((windowStart + MINUTE_MS - now) / 1000))
          : Math.max(1, Math.ceil((windowStart + DAY_MS - now) / 1000));
      throw new AppError(
        COUNTER_RATE_LIMITED,
        undefined,
        { limit: check.name, retryAfterSeconds },
        {
          headers: { 'retry-after': String(retryAfterSeconds) },
        },
      );
    }
    taken.push(hit);
    if (count === 1 && check.window === 'day' && check.subject === '') {
      await deps.jobs.enqueue(db, PRUNE_TASK, { day: windowStart });
    }
  }
}
