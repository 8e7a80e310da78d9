import { type Kysely, sql } from 'kysely';
import type { Database } from '../../platform/db/database.js';

/**
 * One statement (GCRA): takes a slot of the provider's rate when its theoretical arrival time `tat` is at most
 * `toleranceMs` ahead of `now`, moving it `intervalMs` on; returns the new tat, or undefined when refused (nothing
 * written). Concurrent callers serialise on the row's upsert, never across a round trip.
 */
export async function takeRateSlot(
  db: Kysely<Database>,
  provider: string,
  now: number,
  intervalMs: number,
  toleranceMs: number,
): Promise<number | undefined> {
  const at = sql`cast(${now} as bigint)`;
  const later = sql`case when verification_limits.value > ${at} then verification_limits.value else ${at} end`;
  const result = await sql<{ value: number }>`insert into verification_limits (provider, period, value)
    values (cast(${provider} as text), 'rate', cast(${now + intervalMs} as bigint))
    on conflict (provider, period) do update set value = ${later} + cast(${intervalMs} as bigint)
      where ${later} - ${at} <= cast(${toleranceMs} as bigint)
    returning value`.execute(db);
  const row = result.rows[0];
  return row === undefined ? undefined : Number(row.value);
}

/** The provider's current theoretical arrival time (0 when it has none). */
export async function readRateTat(db: Kysely<Database>, provider: string): Promise<number> {
  const row = await db
    .selectFrom('verification_limits')
    .select('value')
    .where('provider', '=', provider)
    .where('period', '=', 'rate')
    .executeTakeFirst();
  return row ? Number(row.value) : 0;
}

/** One statement: counts a call against the provider's quota of `period` when below `quota`; the count, or undefined. */
export async function takeQuotaUnit(
  db: Kysely<Database>,
  provider: string,
  period: string,
  quota: number,
): Promise<number | undefined> {
  const row = await db
    .insertInto('verification_limits')
    .values({ provider, period, value: 1 })
    .onConflict((oc) =>
      oc
        .columns(['provider', 'period'])
        .doUpdateSet((eb) => ({ value: eb('verification_limits.value', '+', 1) }))
        .where('verification_limits.value', '<', quota),
    )
    .returning('value')
    .executeTakeFirst();
  return row === undefined ? undefined : Number(row.value);
}

/** Calls counted in `period` (0 when none). */
export async function readQuotaUsed(db: Kysely<Database>, provider: string, period: string): Promise<number> {
  const row = await db
    .selectFrom('verification_limits')
    .select('value')
    .where('provider', '=', provider)
    .where('period', '=', period)
    .executeTakeFirst();
  return row ? Number(row.value) : 0;
}

/** Drops the day counters of periods before `period` (`day:YYYY-MM-DD` sorts by date). */
export async function deleteQuotaPeriodsBefore(db: Kysely<Database>, period: string): Promise<void> {
  await db.deleteFrom('verification_limits').where('period', 'like', 'day:%').where('period', '<', period).execute();
}
