import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { getJob, type JobScope } from './admin-jobs.js';
import type { Job, JobState } from './jobs.tables.js';

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
