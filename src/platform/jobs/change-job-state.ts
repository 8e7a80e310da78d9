import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import { getJob, type JobScope } from './admin-jobs.js';
import type { Job, JobState } from './jobs.tables.js';
import { taskJobKey } from './task-registry.js';

/** States an operator may send back to the queue. */
export const RETRYABLE_STATES: readonly JobState[] = ['dead', 'retry', 'cancelled'];

/** States an operator may cancel: not yet running, not finished. */
export const CANCELLABLE_STATES: readonly JobState[] = ['queued', 'retry'];

/**
 * Sends a `dead`, `retry` or `cancelled` job back to `queued`, due at `now`. When its attempts are used up,
 * `max_attempts` becomes `attempts + 1` so it gets exactly one more try. `last_error` is kept for history.
 * Returns the updated job, or null when the job is not in scope or not in a retryable state (running,
 * queued and succeeded jobs are left alone). The state check is in the UPDATE, so a concurrent claim wins cleanly.
 */
export async function retryJob(
  db: Kysely<Database>,
  opts: JobScope & { id: string; now: number },
): Promise<Job | null> {
  let update = db
    .updateTable('jobs')
    .set((eb) => ({
      state: 'queued',
      run_at: opts.now,
      locked_by: null,
      locked_until: null,
      finished_at: null,
      updated_at: opts.now,
      max_attempts: eb
        .case()
        .when('attempts', '>=', eb.ref('max_attempts'))
        .then(eb('attempts', '+', 1))
        .else(eb.ref('max_attempts'))
        .end(),
    }))
    .where('id', '=', opts.id)
    .where('state', 'in', RETRYABLE_STATES);
  if (opts.tenantId !== null) update = update.where('tenant_id', '=', opts.tenantId);
  const result = await update.executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) return null;
  return getJob(db, opts);
}

/**
 * Cancels a `queued` or `retry` job (it will never run). Returns the updated job, or null when the job is not in
 * scope or not cancellable (a running job finishes its attempt; finished jobs stay as they are).
 */
export async function cancelJob(
  db: Kysely<Database>,
  opts: JobScope & { id: string; now: number },
): Promise<Job | null> {
  let update = db
    .updateTable('jobs')
    .set({ state: 'cancelled', finished_at: opts.now, updated_at: opts.now })
    .where('id', '=', opts.id)
    .where('state', 'in', CANCELLABLE_STATES);
  if (opts.tenantId !== null) update = update.where('tenant_id', '=', opts.tenantId);
  const result = await update.executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) return null;
  return getJob(db, opts);
}

/** What {@link cancelUnstartedJob} found: it cancelled the job, no job has the key, or the job had started. */
export type UnstartedJobCancel = 'cancelled' | 'absent' | 'started';

/**
 * Cancels the job keyed `{task}:{key}` in the caller's transaction if no worker has touched it since it was enqueued
 * (`queued`, `attempts = 0`, `updated_at = created_at`: never claimed, never released, never retried by an operator).
 * For a use case whose cancel must not race the job's effect: the conditional update takes the job's row lock, so a
 * concurrent claim either ran first (the job is `running`: 'started') or skips the row and finds it cancelled.
 * Returns 'absent' when no job has the key (or it was cancelled before), 'started' otherwise.
 */
export async function cancelUnstartedJob(
  db: Kysely<Database> | Transaction<Database>,
  opts: { task: string; key: string; now: number },
): Promise<UnstartedJobCancel> {
  const jobKey = taskJobKey(opts.task, opts.key);
  const result = await db
    .updateTable('jobs')
    .set({ state: 'cancelled', finished_at: opts.now, updated_at: opts.now })
    .where('job_key', '=', jobKey)
    .where('state', '=', 'queued')
    .where('attempts', '=', 0)
    .whereRef('updated_at', '=', 'created_at')
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) > 0) return 'cancelled';
  const job = await db.selectFrom('jobs').select('state').where('job_key', '=', jobKey).executeTakeFirst();
  return !job || job.state === 'cancelled' ? 'absent' : 'started';
}
