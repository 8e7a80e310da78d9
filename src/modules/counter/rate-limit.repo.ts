import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../../platform/db/database.js';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Counts one hit in the fixed window (`scope`, `subject`, `windowStart`) unless the window already holds `cap`:
 * ONE conditional upsert, so no lock outlives the statement. Answers the count after the hit, or null when the
 * window was full (nothing changed).
 */
export async function countHit(
  db: Db,
  hit: { scope: string; subject: string; windowStart: number },
  cap: number,
): Promise<number | null> {
  const t = sql.table('counter_rate_counters');
  const { rows } = await sql<{ count: number | string }>`insert into counter_rate_counters
      (scope, subject, window_start, count) values (${hit.scope}, ${hit.subject}, ${hit.windowStart}, 1)
    on conflict (scope, subject, window_start) do update set count = ${t}.count + 1
      where ${t}.count < ${cap}
    returning count`.execute(db);
  return rows[0] ? Number(rows[0].count) : null;
}

/** Gives a counted hit back (a later limit of the same request refused it). */
export async function releaseHit(db: Db, hit: { scope: string; subject: string; windowStart: number }): Promise<void> {
  await db
    .updateTable('counter_rate_counters')
    .set((eb) => ({ count: eb('count', '-', 1) }))
    .where('scope', '=', hit.scope)
    .where('subject', '=', hit.subject)
    .where('window_start', '=', hit.windowStart)
    .execute();
}

/** Forgets windows that started before `before`; answers how many rows went. */
export async function pruneCounters(db: Db, before: number): Promise<number> {
  const result = await db.deleteFrom('counter_rate_counters').where('window_start', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
