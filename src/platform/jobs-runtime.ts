import type { Kysely, Transaction } from 'kysely';
import type { Clock } from './clock.js';
import type { Database } from './db/database.js';
import { enqueueJob, type TaskPayloads, type TaskRegistry } from './jobs/index.js';

export interface EnqueueOptions {
  tenantId?: string | null;
  runAt?: number;
  priority?: number;
  maxAttempts?: number;
  /** The job key is `{task}:{key}` (see EnqueueJobOptions.key). */
  key?: string;
}

/** What use cases see of the job queue: enqueue inside their transaction, and wake the local worker. */
export interface JobsRuntime {
  readonly registry: TaskRegistry;
  enqueue<T extends keyof TaskPayloads & string>(
    db: Kysely<Database> | Transaction<Database>,
    task: T,
    payload: TaskPayloads[T],
    options?: EnqueueOptions,
  ): Promise<{ id: string; created: boolean }>;
  /** Wakes the in-process worker (if any) so a freshly committed job starts without waiting for the next poll. */
  notify(): void;
  /** The worker registers its wake-up function here. */
  setNotifier(fn: () => void): void;
}

export function createJobsRuntime({ registry, clock }: { registry: TaskRegistry; clock: Clock }): JobsRuntime {
  let notifier: () => void = () => {};
  return {
    registry,
    enqueue: (db, task, payload, options = {}) =>
      enqueueJob(db, registry, task, payload, { ...options, now: clock.now() }),
    notify: () => notifier(),
    setNotifier: (fn) => {
      notifier = fn;
    },
  };
}
