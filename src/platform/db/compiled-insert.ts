import { CompiledQuery, type Kysely, PostgresAdapter, type Transaction } from 'kysely';
import type { Database } from './database.js';
import type { SqliteRun } from './sqlite-sync.js';

/** A compiled insert: through Kysely (either dialect), or inside a synchronous SQLite transaction (`sync`). */
export interface CompiledInsert<T extends keyof Database & string> {
  (db: Kysely<Database> | Transaction<Database>, row: Database[T]): Promise<number>;
  /** The same insert as a statement of a synchronous SQLite transaction (sqlite-sync.ts); answers rows inserted. */
  sync(run: SqliteRun, row: Database[T]): number;
}

/**
 * A hot single-row insert whose SQL text is built once: Kysely builds, freezes and compiles an insert's operation
 * tree on every call — for a 25-column row, on SQLite, about as much CPU as SQLite's own insert. The text is plain
 * (`insert into "t" ("a", …) values (?, …)` + `tail`, with `$n` placeholders on PostgreSQL), runs through the same
 * connection, transaction and statement cache as any Kysely query, and answers how many rows it inserted.
 * `columns` must name every column the row sets (a repository pins it with a type check).
 */
export function compiledInsert<T extends keyof Database & string>(
  table: T,
  columns: readonly (keyof Database[T] & string)[],
  /** SQL after the values, e.g. ` on conflict ("tenant_id", "order_no") do nothing`. */
  tail = '',
): CompiledInsert<T> {
  const head = `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values (`;
  const sqliteText = `${head}${columns.map(() => '?').join(', ')})${tail}`;
  const postgresText = `${head}${columns.map((_, i) => `$${i + 1}`).join(', ')})${tail}`;
  const valuesOf = (row: Database[T]) => columns.map((c) => row[c] as unknown);
  const insert = async (db: Kysely<Database> | Transaction<Database>, row: Database[T]) => {
    const text = db.getExecutor().adapter instanceof PostgresAdapter ? postgresText : sqliteText;
    const result = await db.executeQuery(CompiledQuery.raw(text, valuesOf(row)));
    return Number(result.numAffectedRows ?? 0n);
  };
  return Object.assign(insert, { sync: (run: SqliteRun, row: Database[T]) => run(sqliteText, valuesOf(row)) });
}
