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
