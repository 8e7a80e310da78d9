/**
 * Counts the SQL statements and commits the app sends, without touching src/: wraps `pg.Client#query` (every pool
 * client) and better-sqlite3's statement methods in this process. A commit is an explicit COMMIT or a write
 * (INSERT/UPDATE/DELETE, or a CTE containing one) sent outside a transaction — each is one durable commit. BEGIN,
 * COMMIT and ROLLBACK are statements too (each a round trip on PostgreSQL).
 * The runner asks for the counts by writing `counters <seq>` to this process's stdin; the answer is the stdout line
 * `BENCH_COUNTERS <seq> {"statements":…,"commits":…,"units":{…}}`: `units` are the rows the app has created so far
 * (invoices, orders, files; {@link countUnitsWith}), read on a connection of the bench's own that is not counted, so
 * that a window's costs are divided by the units it created, not by the requests answered inside it.
 */
import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';

const counts = { statements: 0, commits: 0 };
/**
 * With `BENCH_STATEMENT_BREAKDOWN=<dir>` every statement is also counted by its normalized text, and each `counters`
 * request writes that map to `<dir>/<seq>.json` (diff two of them with `bench/statement-breakdown.ts`).
 */
const breakdownDir = process.env.BENCH_STATEMENT_BREAKDOWN || null;
const bySql = new Map<string, number>();

function normalize(sql: string): string {
  return sql
    .replace(/\s+/g, ' ')
    .replace(/\$\d+(\s*,\s*\$\d+)+/g, '$n…')
    .replace(/\(\s*\?(\s*,\s*\?)+\s*\)/g, '(?…)')
    .trim()
    .slice(0, 200);
}
const inTransaction = new WeakMap<object, boolean>();
/** Connections of the bench's own (the unit counts): not the app's statements. */
const uncounted = new WeakSet<object>();
let countUnits: (() => Promise<Record<string, number>>) | null = null;

function count(owner: object, sql: string): void {
  if (uncounted.has(owner)) return;
  counts.statements++;
  if (breakdownDir) {
    const key = normalize(sql);
    bySql.set(key, (bySql.get(key) ?? 0) + 1);
  }
  const head = sql.trimStart().slice(0, 20).toLowerCase();
  if (head.startsWith('begin') || head.startsWith('start transaction')) inTransaction.set(owner, true);
  else if (head.startsWith('commit') || head.startsWith('end')) {
    inTransaction.set(owner, false);
    counts.commits++;
  } else if (head.startsWith('rollback') && !head.startsWith('rollback to')) inTransaction.set(owner, false);
  else if (
    !inTransaction.get(owner) &&
    /^\s*(insert|update|delete|merge)\b|\b(insert\s+into|update\s+\S+\s+set|delete\s+from)\b/i.test(sql)
  )
    counts.commits++;
}

/** Installs the wrappers; call before the app opens its database. */
export function installStatementCounter(): void {
  const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  (pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown }).query = function (
    this: object,
    ...args: unknown[]
  ) {
    const first = args[0];
    const text = typeof first === 'string' ? first : ((first as { text?: string } | undefined)?.text ?? '');
    count(this, text);
    return query.apply(this, args);
  };

  const probe = new SqliteDatabase(':memory:');
  const proto = Object.getPrototypeOf(probe.prepare('SELECT 1')) as Record<string, unknown>;
  probe.close();
  for (const method of ['run', 'get', 'all', 'iterate'] as const) {
    const original = proto[method] as (...args: unknown[]) => unknown;
    proto[method] = function (this: { source: string; database: object }, ...args: unknown[]) {
      count(this.database, this.source);
      return original.apply(this, args);
    };
  }

  let buffered = '';
  process.stdin.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      const match = /^counters (\d+)$/.exec(line.trim());
      if (match && breakdownDir) {
        fs.mkdirSync(breakdownDir, { recursive: true });
        fs.writeFileSync(path.join(breakdownDir, `${match[1]}.json`), JSON.stringify(Object.fromEntries(bySql)));
      }
      if (match) void answer(match[1]!);
    }
  });
}

async function answer(seq: string): Promise<void> {
  const snapshot = { ...counts };
  let units: Record<string, number> | null = null;
  try {
    units = countUnits ? await countUnits() : null;
  } catch (err) {
    process.stderr.write(`bench: could not count the units: ${(err as Error).message}\n`);
  }
  process.stdout.write(`BENCH_COUNTERS ${seq} ${JSON.stringify({ ...snapshot, units })}\n`);
}

const UNITS_SQL =
  'select (select count(*) from invoices) as invoice, (select count(*) from scan_orders) as "order", ' +
  '(select count(*) from received_files) as file';

/**
 * Counts the rows the app created (invoice, order, file) for each `counters` answer, on a connection of its own to the
 * app's database that the statement count leaves out.
 */
export async function countUnitsWith(
  db: { driver: 'sqlite'; sqlitePath: string } | { driver: 'postgres'; url: string },
): Promise<void> {
  if (db.driver === 'sqlite') {
    const reader = new SqliteDatabase(db.sqlitePath, { readonly: true, fileMustExist: true });
    uncounted.add(reader);
    const statement = reader.prepare(UNITS_SQL);
    countUnits = async () => toNumbers(statement.get() as Record<string, unknown>);
    return;
  }
  const client = new pg.Client({ connectionString: db.url, application_name: 'openfapiao-bench-units' });
  uncounted.add(client);
  // A dropped connection must not take the app-server down: the counts then say so (null units).
  client.on('error', (err) => process.stderr.write(`bench: the unit-count connection failed: ${err.message}\n`));
  await client.connect();
  countUnits = async () => toNumbers((await client.query(UNITS_SQL)).rows[0] as Record<string, unknown>);
}

function toNumbers(row: Record<string, unknown>): Record<string, number> {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)]));
}
