import { CompiledQuery, type Kysely, PostgresAdapter, type Transaction } from 'kysely';
import type { Database } from './database.js';

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
): (db: Kysely<Database> | Transaction<Database>, row: Database[T]) => Promise<number> {
  const head = `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values (`;
  const sqliteText = `${head}${columns.map(() => '?').join(', ')})${tail}`;
  const postgresText = `${head}${columns.map((_, i) => `$${i + 1}`).join(', ')})${tail}`;
  return async (db, row) => {
    const text = db.getExecutor().adapter instanceof PostgresAdapter ? postgresText : sqliteText;
    const values = columns.map((c) => row[c] as unknown);
    const result = await db.executeQuery(CompiledQuery.raw(text, values));
    return Number(result.numAffectedRows ?? 0n);
  };
}
