/**
 * Named prepared statements on PostgreSQL. Kysely sends every query unnamed (parse + plan each time); pg runs a
 * query config `{ name, text, values }` as a named statement it parses once per connection and then only binds and
 * executes (about half the backend CPU of a primary-key select, issue #12). This layer names the SQL texts a
 * connection keeps sending:
 * - only plain DML/queries (`select`, `insert`, `update`, `delete`, `with`, `values`) with parameters — those
 *   already use the extended protocol, so naming them changes nothing else (a text without parameters goes by the
 *   simple protocol, which also allows several statements in one text); BEGIN/COMMIT, DDL and the like go through
 *   as they are;
 * - a text is named the {@link PreparedStatementOptions.threshold}-th time the connection sees it (a text seen once —
 *   an `in (…)` list of a new length, a multi-row insert — never is), counted in a bounded map of recent texts;
 * - at most {@link PreparedStatementOptions.maxPerConnection} names per connection, least recently used out first:
 *   its name is forgotten at once and `DEALLOCATE`d (one extra round trip) before the connection's next statement
 *   outside a transaction (names are never reused, so a pending one cannot clash);
 * - a schema change can make a statement's result type differ from its plan (`select *` after a column was added):
 *   PostgreSQL then refuses it with "cached plan must not change result type" (0A000). The name is dropped (the
 *   text is prepared afresh on later use) and, outside a transaction, the query is retried once unnamed, so the
 *   caller sees nothing. Inside a transaction the error aborts it and is thrown: the transaction fails as on any
 *   other error, and its retry prepares anew.
 */
import type pg from 'pg';

export interface PreparedStatementOptions {
  /** Named statements one connection keeps at most. */
  readonly maxPerConnection: number;
  /** How many times a connection must see a text before it is named (≥ 1). */
  readonly threshold: number;
}

export const PREPARED_STATEMENT_DEFAULTS: PreparedStatementOptions = Object.freeze({
  maxPerConnection: 256,
  threshold: 2,
});

/** Texts whose counts one connection remembers (recently seen first kept). */
const SEEN_FACTOR = 4;

const NAMEABLE = /^\s*(select|insert|update|delete|with|values)\b/i;

/** pg's per-connection record of the names it parsed (internal; read to forget a dropped name). */
interface PgConnectionInternals {
  parsedStatements: Record<string, string>;
}

type QueryFn = (...args: unknown[]) => Promise<unknown> | unknown;

function isResultTypeChange(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  return e?.code === '0A000' && typeof e.message === 'string' && e.message.includes('cached plan must not change');
}

/** What one connection holds (for tests and diagnostics). */
export interface PreparedStatementStats {
  readonly named: number;
  readonly seen: number;
  readonly pendingDeallocate: number;
}

const stats = new WeakMap<object, () => PreparedStatementStats>();

/** The layer's counts for a client it was installed on, or null. */
export function preparedStatementStats(client: object): PreparedStatementStats | null {
  return stats.get(client)?.() ?? null;
}

/** Installs the layer on one pg client (the pool's `connect` event calls this for each new connection). */
export function installPreparedStatements(
  client: pg.ClientBase,
  options: PreparedStatementOptions = PREPARED_STATEMENT_DEFAULTS,
): void {
  const target = client as unknown as {
    query: QueryFn;
    connection: PgConnectionInternals;
    getTransactionStatus(): string | null;
  };
  /** 'I' idle (no transaction), 'T' in one, 'E' in a failed one — as of the last statement's end. */
  const txStatus = () => target.getTransactionStatus();
  // Looked up at each call, so a wrapper installed on pg.Client.prototype later (a statement counter) still sees all.
  const proto = Object.getPrototypeOf(client) as { query: QueryFn };
  const original: QueryFn = (...args) => proto.query.apply(client, args);
  const named = new Map<string, string>();
  const seen = new Map<string, number>();
  const pending: string[] = [];
  let counter = 0;
  const maxSeen = options.maxPerConnection * SEEN_FACTOR;

  const forget = (text: string) => {
    const name = named.get(text);
    if (name === undefined) return;
    named.delete(text);
    // Only a name the server parsed exists there; deallocating another would fail.
    if (target.connection.parsedStatements[name] !== undefined) {
      delete target.connection.parsedStatements[name];
      pending.push(name);
    }
  };

  const nameFor = (text: string): string | null => {
    const known = named.get(text);
    if (known !== undefined) {
      named.delete(text);
      named.set(text, known);
      return known;
    }
    const count = (seen.get(text) ?? 0) + 1;
    seen.delete(text);
    if (count < options.threshold) {
      if (seen.size >= maxSeen) seen.delete(seen.keys().next().value as string);
      seen.set(text, count);
      return null;
    }
    if (named.size >= options.maxPerConnection) forget(named.keys().next().value as string);
    counter += 1;
    const name = `openfapiao_${counter}`;
    named.set(text, name);
    return name;
  };

  /** Runs the pending DEALLOCATEs (one simple-protocol round trip) before `next`, outside a transaction only (a
   *  failure there would abort the caller's transaction): only when a name was evicted, so rarely. */
  const afterFlush = <T>(next: () => T): T | Promise<T> => {
    if (pending.length === 0 || txStatus() !== 'I') return next();
    const sqlText = pending
      .splice(0)
      .map((name) => `deallocate "${name}"`)
      .join('; ');
    return Promise.resolve(original(sqlText))
      .catch(() => {
        // A statement gone with its connection, or never created: nothing to free.
      })
      .then(next);
  };

  target.query = (...args: unknown[]) => {
    const [text, values, callback] = args;
    if (
      typeof text !== 'string' ||
      !Array.isArray(values) ||
      values.length === 0 ||
      callback !== undefined ||
      !NAMEABLE.test(text)
    ) {
      return original(...args);
    }
    const name = nameFor(text);
    if (name === null) return afterFlush(() => original(text, values));
    return afterFlush(() =>
      (original({ name, text, values }) as Promise<unknown>).catch((err: unknown) => {
        if (!isResultTypeChange(err)) throw err;
        forget(text);
        if (txStatus() !== 'I') throw err;
        return afterFlush(() => original(text, values));
      }),
    );
  };
  stats.set(client, () => ({ named: named.size, seen: seen.size, pendingDeallocate: pending.length }));
}
