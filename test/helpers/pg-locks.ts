import pg from 'pg';
import { waitFor } from './wait.js';

/** A PostgreSQL connection holding row locks in an open transaction, and a second one watching the lock waits. */
export interface RowLockHolder {
  /** Sessions of the database waiting on a lock now (read from the watcher: pg_stat_activity is one snapshot per
   * transaction, so never from the holder's). */
  lockWaits(): Promise<number>;
  /** Waits (bounded, see {@link waitFor}) until at least `count` sessions wait on a lock. */
  waitForLockWaits(count: number): Promise<void>;
  /** Commits the holder's transaction (the waiters go on) and closes both connections. */
  release(): Promise<void>;
}

/**
 * Opens a transaction on a connection of its own to `url` and runs `lockSql` (a `select … for update`) in it, so every
 * other session that wants those rows waits until `release()`. Call `release()` in a `finally`.
 */
export async function holdRowLocks(url: string, lockSql: string, params: unknown[] = []): Promise<RowLockHolder> {
  // A statement that hangs (the server gone) fails the test instead of outlasting it.
  const holder = new pg.Client({ connectionString: url, query_timeout: 10_000 });
  const watcher = new pg.Client({ connectionString: url, query_timeout: 10_000 });
  try {
    await Promise.all([holder.connect(), watcher.connect()]);
    await holder.query('begin');
    await holder.query(lockSql, params);
  } catch (err) {
    await Promise.allSettled([holder.end(), watcher.end()]);
    throw err;
  }
  const lockWaits = async () => {
    const r = await watcher.query<{ n: number }>(
      "select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
    );
    return r.rows[0]?.n ?? 0;
  };
  return {
    lockWaits,
    waitForLockWaits: (count) =>
      waitFor(`${count} sessions waiting on a lock`, async () => (await lockWaits()) >= count),
    release: async () => {
      try {
        await holder.query('commit');
      } finally {
        await Promise.allSettled([holder.end(), watcher.end()]);
      }
    },
  };
}
