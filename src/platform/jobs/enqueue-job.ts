import { type Kysely, type RawBuilder, sql, type Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import { newId } from '../ids.js';
import type { TaskPayloads } from './index.js';
import type { Job, JobTable } from './jobs.tables.js';
import type { TaskName, TaskRegistry } from './task-registry.js';

/** Options of {@link enqueueJob}. */
export interface EnqueueJobOptions {
  /** Current time (epoch ms) from the caller's Clock. */
  now: number;
  /** Owning tenant; null or absent for system jobs. */
  tenantId?: string | null;
  /** Earliest run time (epoch ms); defaults to `now`. */
  runAt?: number;
  /** Lower runs first; defaults to 0. */
  priority?: number;
  /** Overrides the task's maxAttempts. */
  maxAttempts?: number;
  /**
   * Names the effect for deduplication when the task's `jobKey(payload)` does not (or the task has none): the job
   * key is `{task}:{key}`, and when a job with that key exists in any state, nothing is inserted.
   */
  key?: string;
  /**
   * Direct dispatch: insert the job already claimed under this lease (state `running`, attempts 1) for the in-process
   * worker that reserved the slot ({@link DispatchSlot}), which runs it once the insert committed — no claim statement.
   */
  lease?: { workerId: string; until: number };
}

/**
 * A free slot of this process's started worker, reserved for a job about to be inserted (direct dispatch): pass it
 * as `slot` when enqueueing, then call exactly one of `run(job)` (the insert committed) or `release()` (it did not
 * happen, or failed). The job row's lease is the worker's: crash safety is that of a claimed job.
 */
export interface DispatchSlot {
  readonly workerId: string;
  readonly leaseMs: number;
  /**
   * Runs the committed `job`. `handed`: what the enqueuer gives the job's handler along with it, as
   * `helpers.handed` of this run only (e.g. the row it just wrote, so the first attempt need not read it back) —
   * never stored: a retry, or another worker, starts without it.
   */
  run(job: Job, handed?: unknown): void;
  release(): void;
}

/** Result of {@link enqueueJob}: the job id, and whether this call inserted it (false when its job key matched). */
export interface EnqueueJobResult {
  id: string;
  created: boolean;
  /** The inserted row, when this call inserted it (what a direct dispatch hands to the worker). */
  job?: Job;
}

/**
 * Adds a job in the caller's transaction (pass `trx`, so the job commits or rolls back with the business rows).
 * Throws a plain Error for an unknown task or a payload its schema rejects: both are programming errors.
 * With a job key (`{task}:{key}`), a concurrent or earlier enqueue of the same key wins and its id is returned with `created: false`.
 */
let enqueuedInProcess = 0;

/**
 * How many jobs this process has enqueued so far. The worker compares it before and after a job: when the job
 * enqueued follow-ups (they are committed once the job has finished), it claims again at once instead of waiting
 * for the next poll.
 */
export function enqueuedInProcessCount(): number {
  return enqueuedInProcess;
}

/** The row {@link enqueueJob} inserts: the task known, the payload checked, the key built. Throws like enqueueJob. */
function jobRow<T extends TaskName>(
  registry: TaskRegistry,
  task: T,
  payload: TaskPayloads[T],
  opts: EnqueueJobOptions,
): Job {
  const definition = registry.get(task);
  if (!definition) throw new Error(`cannot enqueue unknown task "${task}": define it in the task registry first`);
  const problem = definition.check(payload);
  if (problem !== null) throw new Error(`invalid payload for task "${task}": ${problem}`);
  const maxAttempts = opts.maxAttempts ?? definition.maxAttempts;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new Error(`maxAttempts must be a positive integer`);
  return {
    id: newId('job'),
    tenant_id: opts.tenantId ?? null,
    task,
    payload: JSON.stringify(payload ?? null),
    state: opts.lease ? 'running' : 'queued',
    job_key: definition.jobKey(payload, opts.key),
    priority: opts.priority ?? 0,
    run_at: opts.runAt ?? opts.now,
    attempts: opts.lease ? 1 : 0,
    max_attempts: maxAttempts,
    last_error: null,
    locked_by: opts.lease?.workerId ?? null,
    locked_until: opts.lease?.until ?? null,
    created_at: opts.now,
    updated_at: opts.now,
    finished_at: null,
  };
}

type JobId = { id: string };

const JOB_COLUMNS = [
  'id',
  'tenant_id',
  'task',
  'payload',
  'state',
  'job_key',
  'priority',
  'run_at',
  'attempts',
  'max_attempts',
  'last_error',
  'locked_by',
  'locked_until',
  'created_at',
  'updated_at',
  'finished_at',
] as const satisfies readonly (keyof JobTable)[];

/**
 * The insert of a job as one part of the caller's statement, for PostgreSQL's data-modifying CTEs: the job is
 * inserted once for each row the preceding CTE `after` returned, so a business insert and its job are one statement
 * (one round trip, one commit) and the job exists exactly when the business row was inserted:
 *
 * ```ts
 * db.with('ins', (qc) => qc.insertInto('invoices').values(row).onConflict(…).doNothing().returning('id'))
 *   .with('job', () => enqueueJobAfter(registry, 'invoicing/issue-invoice', payload, { now, key, after: 'ins' }))
 *   .selectFrom('ins').select('id')
 * ```
 *
 * The payload is checked as {@link enqueueJob} checks it (a plain Error when it does not match). A job key already
 * held makes the insert do nothing (`on conflict (job_key) do nothing`; no id is returned for it). The caller calls
 * `notify()` once the statement committed. PostgreSQL only: SQLite has no data-modifying CTEs.
 */
export function enqueueJobAfter<T extends TaskName>(
  registry: TaskRegistry,
  task: T,
  payload: TaskPayloads[T],
  opts: EnqueueJobOptions & { after: string },
): RawBuilder<JobId> {
  return enqueueJobAfterRow(registry, task, payload, opts).sql;
}

/** {@link enqueueJobAfter}, also answering the row it inserts (for a direct dispatch once the statement committed). */
export function enqueueJobAfterRow<T extends TaskName>(
  registry: TaskRegistry,
  task: T,
  payload: TaskPayloads[T],
  opts: EnqueueJobOptions & { after: string },
): { sql: RawBuilder<JobId>; job: Job } {
  const row = jobRow(registry, task, payload, opts);
  const columns = sql.join(JOB_COLUMNS.map((c) => sql.ref(c)));
  const values = sql.join(JOB_COLUMNS.map((c) => sql`${row[c]}`));
  const from = sql.table(opts.after);
  // Parenthesised: Kysely writes a raw CTE body as it is (`"job" as (…)`).
  return {
    sql: sql<JobId>`(insert into jobs (${columns}) select ${values} from ${from} on conflict (job_key) do nothing returning id)`,
    job: row,
  };
}

export async function enqueueJob<T extends TaskName>(
  db: Kysely<Database> | Transaction<Database>,
  registry: TaskRegistry,
  task: T,
  payload: TaskPayloads[T],
  opts: EnqueueJobOptions,
): Promise<EnqueueJobResult> {
  const row = jobRow(registry, task, payload, opts);
  const { id, job_key: jobKey } = row;
  if (jobKey === null) {
    await db.insertInto('jobs').values(row).execute();
    if (!opts.lease) enqueuedInProcess++;
    return { id, created: true, job: row };
  }
  // The job holding the key may be deleted between the insert and the select (retention purges finished jobs):
  // then the key is free again and the insert is tried once more.
  for (let attempt = 1; ; attempt++) {
    const inserted = await db
      .insertInto('jobs')
      .values(row)
      .onConflict((oc) => oc.column('job_key').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) {
      if (!opts.lease) enqueuedInProcess++;
      return { id, created: true, job: row };
    }
    const existing = await db.selectFrom('jobs').select('id').where('job_key', '=', jobKey).executeTakeFirst();
    if (existing) return { id: existing.id, created: false };
    if (attempt >= 3) throw new Error(`job key "${jobKey}" conflicted but no job holds it`);
  }
}
