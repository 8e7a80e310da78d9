import type { Kysely, RawBuilder, Transaction } from 'kysely';
import type { Clock } from './clock.js';
import type { DbDialect } from './db/create-db.js';
import type { Database } from './db/database.js';
import {
  type DispatchSlot,
  type EnqueueJobResult,
  enqueueJob,
  enqueueJobAfterRow,
  type Job,
  type TaskPayloads,
  type TaskRegistry,
  type WorkerWake,
} from './jobs/index.js';
import type { Signals } from './signals/index.js';

export interface EnqueueOptions {
  tenantId?: string | null;
  runAt?: number;
  priority?: number;
  maxAttempts?: number;
  /** The job key is `{task}:{key}` (see EnqueueJobOptions.key). */
  key?: string;
  /** A slot from {@link JobsRuntime.reserve}: the job is inserted claimed by the local worker (direct dispatch). */
  slot?: DispatchSlot | null;
}

/** What use cases see of the job queue: enqueue inside their transaction, and wake the local worker. */
export interface JobsRuntime {
  readonly registry: TaskRegistry;
  enqueue<T extends keyof TaskPayloads & string>(
    db: Kysely<Database> | Transaction<Database>,
    task: T,
    payload: TaskPayloads[T],
    options?: EnqueueOptions,
  ): Promise<EnqueueJobResult>;
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
  /** {@link JobsRuntime.enqueueAfter}, also answering the row it inserts (to hand to a reserved slot). */
  enqueueAfterRow<T extends keyof TaskPayloads & string>(
    after: string,
    task: T,
    payload: TaskPayloads[T],
    options?: EnqueueOptions,
  ): { sql: RawBuilder<{ id: string }>; job: Job };
  /**
   * Reserves a free slot of this process's started worker for a job about to be inserted (direct dispatch: the job
   * is inserted claimed and runs at once, without a claim statement), or null — no started worker here, no free
   * slot, or the worker has a backlog (then waiting jobs go first, through the claim). See {@link DispatchSlot}.
   */
  reserve(): DispatchSlot | null;
  /**
   * Wakes the in-process worker (if any) so a freshly committed job starts without waiting for the next poll. A due
   * job `enqueue` inserted wakes it already on SQLite, and outside a transaction on PostgreSQL (see `enqueue`); after a
   * PostgreSQL transaction it saves the round trip of the insert's NOTIFY, and it wakes a worker that does not listen.
   */
  notify(): void;
  /** The worker registers its wake-up function here. */
  setNotifier(fn: () => void): void;
  /** The started worker of this process: its wake-up and its slots for direct dispatch. */
  attachWorker(worker: { notify(): void; reserve(): DispatchSlot | null; wakeAt?(at: number): void }): void;
}

export function createJobsRuntime({
  registry,
  clock,
  dialect,
}: {
  registry: TaskRegistry;
  clock: Clock;
  dialect: DbDialect;
}): JobsRuntime {
  let notifier: () => void = () => {};
  let reserver: () => DispatchSlot | null = () => null;
  let waker: (at: number) => void = () => {};
  const withLease = ({ slot, ...options }: EnqueueOptions) => {
    const now = clock.now();
    // A job queued to run later: the local worker looks again then (its idle poll may be long: worker.ts).
    if (options.runAt !== undefined && options.runAt > now) waker(options.runAt);
    return { ...options, now, ...(slot ? { lease: { workerId: slot.workerId, until: now + slot.leaseMs } } : {}) };
  };
  const enqueueAfterRow: JobsRuntime['enqueueAfterRow'] = (after, task, payload, options = {}) =>
    enqueueJobAfterRow(registry, task, payload, { ...withLease(options), after });
  return {
    registry,
    async enqueue(db, task, payload, options = {}) {
      const opts = withLease(options);
      const result = await enqueueJob(db, registry, task, payload, opts);
      // A due job wakes the local worker by itself, so no caller can forget to. SQLite: at once, inside a transaction
      // too — the claim needs the one connection, which the transaction holds until it ends, so it runs after the
      // commit and sees the job. PostgreSQL: only an autocommitted insert (a claim on another connection would not see
      // an uncommitted job); a transaction's job NOTIFYs every worker at the commit (migration 0025), and a notify()
      // after the commit saves that round trip.
      const due = (opts.runAt ?? opts.now) <= opts.now;
      if (result.created && !opts.lease && due && (dialect === 'sqlite' || !db.isTransaction)) notifier();
      return result;
    },
    enqueueAfter: (after, task, payload, options = {}) => enqueueAfterRow(after, task, payload, options).sql,
    enqueueAfterRow,
    reserve: () => reserver(),
    notify: () => notifier(),
    setNotifier: (fn) => {
      notifier = fn;
    },
    attachWorker: (worker) => {
      notifier = () => worker.notify();
      reserver = () => worker.reserve();
      if (worker.wakeAt) waker = (at) => worker.wakeAt?.(at);
    },
  };
}

/**
 * Direct dispatch for jobs enqueued inside a transaction (e.g. an event's subscriber jobs): each enqueue asks
 * {@link AfterCommitDispatch.reserve} for a slot of this process's worker, the job is inserted claimed, and the jobs
 * go to the worker once the transaction committed (`committed()`), or their slots are given back (`failed()`, on a
 * rollback). A job whose insert met its key (nothing inserted) gives its slot back at the end too. Use it through
 * {@link withAfterCommitDispatch}, which ends it on every path.
 */
export interface AfterCommitDispatch {
  reserve(): DispatchSlot | null;
  /** The job `slot` was reserved for, as inserted (undefined: nothing was inserted). */
  inserted(slot: DispatchSlot, job: Job | undefined): void;
  committed(): void;
  failed(): void;
}

export function afterCommitDispatch(jobs: Pick<JobsRuntime, 'reserve'>): AfterCommitDispatch {
  const held = new Map<DispatchSlot, Job | undefined>();
  let done = false;
  const finish = (run: boolean) => {
    if (done) return;
    done = true;
    const slots = [...held];
    held.clear();
    // Every slot is run or given back, even when one of them throws: a slot left reserved is a worker slot lost
    // for good (the worker counts it as running).
    const errors: unknown[] = [];
    for (const [slot, job] of slots) {
      try {
        if (run && job) slot.run(job);
        else slot.release();
      } catch (err) {
        errors.push(err);
        try {
          slot.release();
        } catch {
          // Already closed by the run that threw: nothing more to give back.
        }
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, 'direct dispatch: several slots failed');
  };
  return {
    reserve() {
      if (done) return null;
      const slot = jobs.reserve();
      if (slot) held.set(slot, undefined);
      return slot;
    },
    inserted(slot, job) {
      if (!done && held.has(slot)) held.set(slot, job);
    },
    committed: () => finish(true),
    failed: () => finish(false),
  };
}

/**
 * Runs `work` (which commits a transaction that enqueues through `dispatch`) and ends the dispatch on every path:
 * the reserved jobs go to the worker when `work` resolved (its transaction committed), and every slot is given
 * back when it threw (rolled back) — so no path leaves a worker slot reserved.
 */
export async function withAfterCommitDispatch<T>(
  jobs: Pick<JobsRuntime, 'reserve'>,
  work: (dispatch: AfterCommitDispatch) => Promise<T>,
): Promise<T> {
  const dispatch = afterCommitDispatch(jobs);
  let committed = false;
  try {
    const result = await work(dispatch);
    committed = true;
    return result;
  } finally {
    if (committed) dispatch.committed();
    else dispatch.failed();
  }
}

/** The topic of the NOTIFY a claimable job sends (migration 0025's trigger on `jobs`, PostgreSQL). */
export const JOBS_QUEUED_TOPIC = 'jobs.queued';

/**
 * The worker's wake-ups from every node (worker.ts `wake`): on PostgreSQL each claimable job's commit notifies
 * `jobs.queued` through the platform signals' listener, and while that listener is up the idle poll is only a safety
 * net. On SQLite nothing notifies (no trigger; a CLI process on the same file cannot reach this one), so the worker
 * keeps its `JOB_POLL_INTERVAL_MS` poll: in-process, an empty claim costs a fraction of a millisecond (a job this
 * process queues wakes it from the enqueue).
 */
export function jobsQueuedWake(signals: Pick<Signals, 'subscribe' | 'isListening' | 'dialect'>): WorkerWake {
  return {
    subscribe: (onQueued) => signals.subscribe(JOBS_QUEUED_TOPIC, 'any', onQueued),
    isListening: () => signals.dialect === 'postgres' && signals.isListening(),
  };
}
