import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';

/**
 * Every statement the app's pg clients send while `fn` runs, with the commits among them, as bench/ counts them: each
 * `COMMIT`, plus each write (`INSERT`/`UPDATE`/`DELETE`, or a CTE holding one) sent outside a transaction.
 */
export async function countStatements(fn: () => Promise<void>): Promise<{ texts: string[]; commits: number }> {
  const texts: string[] = [];
  let commits = 0;
  const inTransaction = new WeakMap<object, boolean>();
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const first = args[0];
    const text = typeof first === 'string' ? first : String((first as { text?: string }).text);
    texts.push(text);
    const head = text.trimStart().slice(0, 10).toLowerCase();
    if (head.startsWith('begin')) inTransaction.set(this, true);
    else if (head.startsWith('commit')) {
      inTransaction.set(this, false);
      commits++;
    } else if (head.startsWith('rollback')) inTransaction.set(this, false);
    else if (!inTransaction.get(this) && /\b(insert\s+into|update\s+\S+\s+set|delete\s+from)\b/i.test(text)) commits++;
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  try {
    await fn();
  } finally {
    pg.Client.prototype.query = original;
  }
  return { texts, commits };
}

/** Every statement better-sqlite3 runs in this process while `fn` runs (its SQL text), in order. */
export async function countSqliteStatements(fn: () => Promise<void>): Promise<string[]> {
  const texts: string[] = [];
  const probe = new SqliteDatabase(':memory:');
  const proto = Object.getPrototypeOf(probe.prepare('select 1')) as Record<string, (...a: unknown[]) => unknown>;
  probe.close();
  const originals = new Map<string, (...a: unknown[]) => unknown>();
  for (const method of ['run', 'get', 'all', 'iterate']) {
    const original = proto[method]!;
    originals.set(method, original);
    proto[method] = function (this: { source: string }, ...args: unknown[]) {
      texts.push(this.source);
      return original.apply(this, args);
    };
  }
  try {
    await fn();
  } finally {
    for (const [method, original] of originals) proto[method] = original;
  }
  return texts;
}
