import type { Kysely, RawBuilder, Transaction } from 'kysely';
import type { Clock } from './clock.js';
import type { Database } from './db/database.js';
import { enqueueJob, enqueueJobAfter, type TaskPayloads, type TaskRegistry } from './jobs/index.js';

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
  /**
   * The insert of a job as a data-modifying CTE of the caller's statement (PostgreSQL only), one job per row of the
   * preceding CTE `after`: a business insert and its job in one statement (see `enqueueJobAfter`).
   */
  enqueueAfter<T extends keyof TaskPayloads & string>(
    after: string,
    task: T,
    payload: TaskPayloads[T],
    options?: EnqueueOptions,
  ): RawBuilder<{ id: string }>;
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
    enqueueAfter: (after, task, payload, options = {}) =>
      enqueueJobAfter(registry, task, payload, { ...options, now: clock.now(), after }),
    notify: () => notifier(),
    setNotifier: (fn) => {
      notifier = fn;
    },
  };
}
