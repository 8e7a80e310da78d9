import type SqliteDatabase from 'better-sqlite3';

/** Runs one statement of a synchronous SQLite transaction (positional `?` values); answers how many rows it changed. */
export type SqliteRun = (sql: string, values: readonly unknown[]) => number;

/**
 * SQLite's one connection, driven synchronously for hot writes that read nothing: better-sqlite3 runs every
 * statement synchronously anyway, and Kysely's transaction around it (a transaction object, the connection mutex, a
 * promise per statement, `begin`/`commit` through the executor) was worth as much CPU as the order push's two inserts.
 */
export interface SqliteSync {
  /**
   * Queues `work` for this turn of the event loop's batch (group commit): at the next check phase (`setImmediate`)
   * every work queued since runs, synchronously and in order, between one `begin` and one `commit` — no other
   * JavaScript runs in between — and each caller's promise settles with what its work answered once that commit is
   * done. The commit writes the pages the works share (the tables' and indexes' last leaves) once: a commit per work
   * cost ~45 µs per audit row more than eight per commit (bench/, docs/benchmarks.md).
   *
   * Answers undefined — the caller takes its Kysely path, which waits for the connection — when the batch cannot run
   * as one: the connection is inside a transaction at the flush (a Kysely transaction holds it across awaits), a work
   * throws, or the commit fails. Then nothing of the batch is written, so every work may be done again its own way
   * (a work that threw throws again there, in its own transaction, and reports its own error).
   */
  batch<T>(work: (run: SqliteRun) => T): Promise<{ readonly value: T } | undefined>;
}

interface Queued {
  readonly work: (run: SqliteRun) => unknown;
  readonly settle: (answer: { readonly value: unknown } | undefined) => void;
}

/** The synchronous face of `sqlite` (the statement-caching handle Kysely uses: statements are prepared once). */
export function createSqliteSync(sqlite: SqliteDatabase.Database): SqliteSync {
  const run: SqliteRun = (text, values) => sqlite.prepare(text).run(values).changes;
  let queued: Queued[] = [];

  const flush = (): void => {
    const batch = queued;
    queued = [];
    const values = runBatch(sqlite, run, batch);
    for (let i = 0; i < batch.length; i++) batch[i]!.settle(values ? { value: values[i] } : undefined);
  };

  return {
    batch<T>(work: (run: SqliteRun) => T) {
      return new Promise<{ readonly value: T } | undefined>((resolve) => {
        if (queued.length === 0) setImmediate(flush);
        queued.push({ work, settle: resolve as Queued['settle'] });
      });
    },
  };
}

/** Runs the batch's works in one transaction; the works' answers, or undefined when nothing of it was committed. */
function runBatch(sqlite: SqliteDatabase.Database, run: SqliteRun, batch: readonly Queued[]): unknown[] | undefined {
  // Never throws: it runs in a setImmediate callback, and every caller must be answered.
  try {
    if (sqlite.inTransaction) return undefined;
    sqlite.prepare('begin').run();
    const values = batch.map((q) => q.work(run));
    sqlite.prepare('commit').run();
    return values;
  } catch {
    // A work's own error is reported by its Kysely path; a failed begin or commit (a closed database, the disk, a
    // deferred constraint) likewise.
    try {
      if (sqlite.inTransaction) sqlite.prepare('rollback').run();
    } catch {
      // The connection is broken: the callers' Kysely paths report it.
    }
    return undefined;
  }
}
