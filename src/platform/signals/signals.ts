import { randomBytes } from 'node:crypto';
import { type Kysely, type RawBuilder, sql, type Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { DbDialect } from '../db/create-db.js';
import type { Database } from '../db/database.js';
import { createPgListener, type PgListener } from './pg-listener.js';

/** The one PostgreSQL channel every node LISTENs on; topics and keys travel in the payload. */
export const SIGNALS_CHANNEL = 'openfapiao_signals';

/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more (with the default block size). */
export const MAX_SIGNAL_BYTES = 7999;

/** A wake-up: something about `key` under `topic` changed (e.g. topic `invoice.settled`, key the invoice id). */
export interface Signal {
  readonly topic: string;
  readonly key: string;
  readonly payload: string | undefined;
}

export type SignalListener = (signal: Signal) => void;

/** Publishes inside a transaction: delivered (here and on every node) only if the transaction commits. */
export type PublishInTransaction = (topic: string, key: string, payload?: string) => void;

/**
 * A signal folded into the caller's own statement (a CTE), so publishing costs no statement of its own: `sql` is the
 * `pg_notify(…)` expression to select in that statement on PostgreSQL (null on SQLite); call `afterCommit()` once the
 * statement's transaction committed (on SQLite it delivers in this process; on PostgreSQL the notification rides the
 * commit and this process's listener delivers it like any other node's).
 */
export interface FoldedSignal {
  readonly sql: RawBuilder<unknown> | null;
  afterCommit(): void;
}

/** A signal folded into the caller's statement with its key taken from that statement ({@link Signals.foldKeyed}). */
export interface KeyedFoldedSignal {
  sql(key: RawBuilder<unknown>): RawBuilder<unknown> | null;
  afterCommit(key: string): void;
}

/** Counters a runtime wires to its metrics (platform/http/metrics.ts). */
export interface SignalsObserver {
  sent(count: number): void;
  received(): void;
  listener(state: 'up' | 'down'): void;
}

/**
 * Platform signals (docs/architecture.md#signals): small, lossy-by-design wake-ups delivered to subscribers in this
 * process at once and, on PostgreSQL, to every other process through LISTEN/NOTIFY on one dedicated connection per
 * process. A subscriber must treat a signal as "re-read the truth", never as the truth: a notification can be missed
 * while a listener reconnects (then every `onConnect` callback runs, so waiters re-read and caches drop everything).
 */
export interface Signals {
  readonly dialect: DbDialect;
  /** After a commit: PostgreSQL one `select pg_notify(…)` (delivered here at once, elsewhere by the listener); SQLite in-process. */
  publish(topic: string, key: string, payload?: string): Promise<void>;
  /**
   * Runs `fn` in a transaction of `db`; what it publishes is delivered only if the transaction commits: on PostgreSQL
   * one `select pg_notify(…), …` runs as the transaction's last statement (NOTIFY is transactional), on SQLite the
   * signals are delivered in-process right after the commit.
   */
  withTransaction<T>(
    db: Kysely<Database>,
    fn: (trx: Transaction<Database>, publish: PublishInTransaction) => Promise<T>,
  ): Promise<T>;
  /** A signal to fold into the caller's own statement ({@link FoldedSignal}). */
  fold(topic: string, key: string, payload?: string): FoldedSignal;
  /**
   * {@link Signals.fold} for a key the statement itself answers (e.g. the id an `update … returning` found by another
   * column): `sql(key)` is the `pg_notify(…)` expression built around the key's SQL expression (null on SQLite), and
   * `afterCommit(key)` is called with the key the statement returned, once its transaction committed. Keys are ids
   * (short, no quoting concerns): the wire stays far below NOTIFY's limit.
   */
  foldKeyed(topic: string): KeyedFoldedSignal;
  /** Calls `listener` for every signal of `topic` with this `key` (`'*'`: every key). Returns the unsubscribe function. */
  subscribe(topic: string, key: string, listener: SignalListener): () => void;
  /**
   * Calls `listener` after every (re)connection of this process's listener: signals may have been missed while it was
   * down. Never called on SQLite (nothing can be missed in-process). Returns the unsubscribe function.
   */
  onConnect(listener: () => void): () => void;
  /** Whether a signal published now by another process would reach this one (always true on SQLite). */
  isListening(): boolean;
  /** Starts the listener if it is not running and waits for its first connection (at most `timeoutMs`). */
  listening(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

interface Wire {
  /** The publishing process. */
  readonly o: string;
  readonly t: string;
  readonly k: string;
  readonly p?: string;
  /** Already delivered in the publishing process: its own listener skips it. */
  readonly l?: 1;
}

const TOPIC_RE = /^[a-z][a-z0-9_.:-]{0,99}$/;

export function createSignals(options: {
  dialect: DbDialect;
  db: Kysely<Database>;
  /** The URL the LISTEN connection opens (PostgreSQL): directly to the server, never through a transaction pooler. */
  listenUrl?: string;
  logger: Logger;
  observer?: SignalsObserver;
  /** Reconnect backoff bounds (tests shorten them). */
  reconnect?: { minMs: number; maxMs: number };
}): Signals {
  const { dialect, db, logger } = options;
  const observer = options.observer;
  const origin = randomBytes(8).toString('hex');
  const topics = new Map<string, Map<string, Set<SignalListener>>>();
  const connectListeners = new Set<() => void>();
  let listener: PgListener | null = null;
  let closed = false;

  const deliver = (signal: Signal) => {
    const byKey = topics.get(signal.topic);
    if (!byKey) return;
    for (const key of [signal.key, '*']) {
      const set = byKey.get(key);
      if (!set) continue;
      for (const fn of [...set]) {
        try {
          fn(signal);
        } catch (err) {
          logger.error({ err, topic: signal.topic }, 'signal listener failed');
        }
      }
    }
  };

  const encode = (topic: string, key: string, payload: string | undefined, local: boolean): string => {
    if (!TOPIC_RE.test(topic)) throw new Error(`signal topic ${JSON.stringify(topic)} is not a valid topic name`);
    const wire: Wire = {
      o: origin,
      t: topic,
      k: key,
      ...(payload !== undefined ? { p: payload } : {}),
      ...(local ? { l: 1 } : {}),
    };
    const text = JSON.stringify(wire);
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > MAX_SIGNAL_BYTES) {
      throw new Error(
        `signal ${topic} is ${bytes} bytes on the wire; PostgreSQL NOTIFY takes at most ${MAX_SIGNAL_BYTES}`,
      );
    }
    return text;
  };

  const onNotification = (text: string) => {
    let wire: Wire;
    try {
      wire = JSON.parse(text) as Wire;
    } catch {
      logger.warn({ payload: text.slice(0, 200) }, 'ignored a malformed signal');
      return;
    }
    if (wire.o === origin && wire.l === 1) return;
    observer?.received();
    deliver({ topic: wire.t, key: wire.k, payload: wire.p });
  };

  const startListener = (): PgListener | null => {
    if (dialect !== 'postgres' || closed) return null;
    if (!listener) {
      if (!options.listenUrl) throw new Error('createSignals: PostgreSQL needs listenUrl');
      listener = createPgListener({
        url: options.listenUrl,
        channel: SIGNALS_CHANNEL,
        logger,
        onNotification,
        onState: (state) => {
          observer?.listener(state);
          if (state !== 'up') return;
          for (const fn of [...connectListeners]) {
            try {
              fn();
            } catch (err) {
              logger.error({ err }, 'signal connect listener failed');
            }
          }
        },
        ...(options.reconnect ? { reconnect: options.reconnect } : {}),
      });
    }
    return listener;
  };

  const notifySql = (text: string) => sql`pg_notify(${SIGNALS_CHANNEL}, ${text})`;

  return {
    dialect,
    publish: async (topic, key, payload) => {
      if (dialect === 'postgres') {
        const text = encode(topic, key, payload, true);
        await sql`select ${notifySql(text)}`.execute(db);
        observer?.sent(1);
      } else {
        encode(topic, key, payload, true);
      }
      deliver({ topic, key, payload });
    },
    withTransaction: async (database, fn) => {
      const pending: { topic: string; key: string; payload: string | undefined; text: string }[] = [];
      const result = await database.transaction().execute(async (trx) => {
        const value = await fn(trx, (topic, key, payload) => {
          pending.push({ topic, key, payload, text: encode(topic, key, payload, true) });
        });
        if (dialect === 'postgres' && pending.length > 0) {
          await sql`select ${sql.join(pending.map((p) => notifySql(p.text)))}`.execute(trx);
        }
        return value;
      });
      if (dialect === 'postgres' && pending.length > 0) observer?.sent(pending.length);
      for (const p of pending) deliver({ topic: p.topic, key: p.key, payload: p.payload });
      return result;
    },
    fold: (topic, key, payload) => {
      const text = encode(topic, key, payload, false);
      if (dialect === 'postgres') {
        return { sql: notifySql(text), afterCommit: () => observer?.sent(1) };
      }
      return { sql: null, afterCommit: () => deliver({ topic, key, payload }) };
    },
    foldKeyed: (topic) => {
      if (!TOPIC_RE.test(topic)) throw new Error(`signal topic ${JSON.stringify(topic)} is not a valid topic name`);
      if (dialect === 'postgres') {
        return {
          // The wire format of encode() (o, t, k; no `l`: this process gets it back through its listener).
          sql: (key) =>
            sql`pg_notify(${SIGNALS_CHANNEL}, json_build_object('o', ${origin}::text, 't', ${topic}::text, 'k', ${key})::text)`,
          afterCommit: () => observer?.sent(1),
        };
      }
      return { sql: () => null, afterCommit: (key) => deliver({ topic, key, payload: undefined }) };
    },
    subscribe: (topic, key, fn) => {
      startListener();
      let byKey = topics.get(topic);
      if (!byKey) {
        byKey = new Map();
        topics.set(topic, byKey);
      }
      let set = byKey.get(key);
      if (!set) {
        set = new Set();
        byKey.set(key, set);
      }
      set.add(fn);
      return () => {
        set.delete(fn);
        if (set.size === 0 && byKey.get(key) === set) byKey.delete(key);
        if (byKey.size === 0 && topics.get(topic) === byKey) topics.delete(topic);
      };
    },
    onConnect: (fn) => {
      connectListeners.add(fn);
      return () => {
        connectListeners.delete(fn);
      };
    },
    isListening: () => dialect !== 'postgres' || (listener?.isUp() ?? false),
    listening: async (timeoutMs = 5000) => {
      const l = startListener();
      return l ? l.waitUp(timeoutMs) : !closed;
    },
    close: async () => {
      closed = true;
      topics.clear();
      connectListeners.clear();
      await listener?.close();
    },
  };
}
