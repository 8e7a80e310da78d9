import type SqliteDatabase from 'better-sqlite3';

/** Runs one statement of a synchronous SQLite transaction (positional `?` values); answers how many rows it changed. */
export type SqliteRun = (sql: string, values: readonly unknown[]) => number;

/**
 * SQLite's one connection, driven synchronously for a hot write that reads nothing: better-sqlite3 runs every
 * statement synchronously anyway, and Kysely's transaction around it (a transaction object, the connection mutex, a
 * promise per statement, `begin`/`commit` through the executor) was worth as much CPU as the order push's two inserts.
 */
export interface SqliteSync {
  /**
   * Runs `work` now, synchronously, between `begin` and `commit` (`rollback` and rethrow when it throws): no other
   * JavaScript runs in between, so nothing interleaves with it. When the connection is inside a transaction (a Kysely
   * transaction holds it across awaits) it runs nothing and answers undefined: the caller takes its Kysely path,
   * which waits for the connection.
   */
  transaction<T>(work: (run: SqliteRun) => T): { readonly value: T } | undefined;
}

/** The synchronous face of `sqlite` (the statement-caching handle Kysely uses: statements are prepared once). */
export function createSqliteSync(sqlite: SqliteDatabase.Database): SqliteSync {
  const run: SqliteRun = (text, values) => sqlite.prepare(text).run(values).changes;
  return {
    transaction(work) {
      if (sqlite.inTransaction) return undefined;
      sqlite.prepare('begin').run();
      try {
        const value = work(run);
        sqlite.prepare('commit').run();
        return { value };
      } catch (err) {
        if (sqlite.inTransaction) sqlite.prepare('rollback').run();
        throw err;
      }
    },
  };
}
