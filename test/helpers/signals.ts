import { sql } from 'kysely';
import type { Db } from '../../src/platform/db/create-db.js';
import { LISTENER_APPLICATION_NAME, type Signal, type Signals } from '../../src/platform/signals/index.js';

/** Resolves with the next `count` signals `signals` delivers for `topic` (any key). */
export function nextSignals(signals: Signals, topic: string, count = 1): Promise<Signal[]> {
  return new Promise((resolve) => {
    const seen: Signal[] = [];
    const off = signals.subscribe(topic, '*', (s) => {
      seen.push(s);
      if (seen.length === count) {
        off();
        resolve(seen);
      }
    });
  });
}

/** Terminates every signal listener connection of the database `db` is connected to; returns how many. */
export async function terminateListeners(db: Db): Promise<number> {
  const { rows } = await sql<{ pid: number }>`select pg_terminate_backend(pid) as pid from pg_stat_activity
    where datname = current_database() and application_name = ${LISTENER_APPLICATION_NAME}`.execute(db.kysely);
  return rows.length;
}

/** What {@link spySubscriptions} sees of the subscriptions to its topics. */
export interface SubscriptionSpy {
  /** The key of every signal delivered to a watched subscription, in order (the subscription's key, e.g. an id). */
  readonly delivered: string[];
  /** Resolves at the next subscription to a watched topic for `key` (any key when omitted): a request now waits. */
  nextSubscription(key?: string): Promise<void>;
}

/**
 * Wraps `signals.subscribe` so that subscriptions to `topics` are watched (the others pass through untouched). Patch a
 * node's signals once per set of topics and keep the spy (each call wraps the previous wrapper).
 */
export function spySubscriptions(signals: Signals, topics: readonly string[]): SubscriptionSpy {
  const delivered: string[] = [];
  let waiters: { key: string | undefined; resolve: () => void }[] = [];
  const subscribe = signals.subscribe.bind(signals);
  signals.subscribe = (topic, key, listener) => {
    if (!topics.includes(topic)) return subscribe(topic, key, listener);
    const off = subscribe(topic, key, (signal) => {
      delivered.push(key);
      listener(signal);
    });
    const woken = waiters.filter((w) => w.key === undefined || w.key === key);
    waiters = waiters.filter((w) => !woken.includes(w));
    for (const w of woken) w.resolve();
    return off;
  };
  return { delivered, nextSubscription: (key) => new Promise((resolve) => waiters.push({ key, resolve })) };
}
