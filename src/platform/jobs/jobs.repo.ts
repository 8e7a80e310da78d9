import type { ExpressionBuilder, Kysely } from 'kysely';
import type { DbDialect } from '../db/create-db.js';
import type { Database } from '../db/database.js';
import type { Job } from './jobs.tables.js';

/**
 * SQL of the worker. Every write after the claim is guarded by `id`, `locked_by` and `attempts` (each claim
 * increments attempts), so a worker whose lease expired and was taken over can neither extend nor finish the job.
 */

/** Last error of a job whose lease expired after its final attempt. */
export const LEASE_EXPIRED_ERROR = 'lease expired (worker crashed?)';

/** The lock a claim took: what every later write must still match. */
type Lease = Pick<Job, 'id' | 'attempts'>;

interface ClaimOptions {
  dialect: DbDialect;
  workerId: string;
  now: number;
  leaseMs: number;
  limit: number;
}

/**
 * Claims up to `limit` jobs: due `queued`/`retry` jobs and `running` jobs whose lease expired with attempts left,
 * by priority then run_at. One atomic statement: `with due as materialized (select … limit n [for update skip
 * locked]) update jobs … where id in (select id from due) returning *`. On PostgreSQL, `skip locked` lets concurrent
 * workers pass over each other's rows, and materializing the CTE makes the locking select run exactly once: as a
 * plain `in (subquery)` the planner may rescan it, and a rescan skips the rows this statement already updated and
 * locks the next ones, claiming more than `limit`.
 */
export async function claimJobs(db: Kysely<Database>, opts: ClaimOptions): Promise<Job[]> {
  if (opts.limit <= 0) return [];
  const jobs = await db
    .with(
      (cte) => cte('due').materialized(),
      (qc) => {
        const due = qc
          .selectFrom('jobs')
          .select('id')
          .where((eb) => isClaimable(eb, opts.now))
          .orderBy('priority', 'asc')
          .orderBy('run_at', 'asc')
          .orderBy('id', 'asc')
          .limit(opts.limit);
        return opts.dialect === 'postgres' ? due.forUpdate().skipLocked() : due;
      },
    )
    .updateTable('jobs')
    .set((eb) => ({
      state: 'running',
      locked_by: opts.workerId,
      locked_until: opts.now + opts.leaseMs,
      attempts: eb('attempts', '+', 1),
      updated_at: opts.now,
    }))
    .where('id', 'in', (eb) => eb.selectFrom('due').select('due.id'))
    .returningAll()
    .execute();
  return jobs.sort((a, b) => a.priority - b.priority || a.run_at - b.run_at || (a.id < b.id ? -1 : 1));
}

/** Due `queued`/`retry` jobs, and `running` jobs whose lease expired with attempts left. */
function isClaimable(eb: ExpressionBuilder<Database, 'jobs'>, now: number) {
  return eb.or([
    eb.and([eb('state', 'in', ['queued', 'retry']), eb('run_at', '<=', now)]),
    eb.and([eb('state', '=', 'running'), eb('locked_until', '<', now), eb('attempts', '<', eb.ref('max_attempts'))]),
  ]);
}

/**
 * Sends `running` jobs whose lease expired after their last allowed attempt to `dead`. Returns them. On
 * PostgreSQL rows another worker is already handling are skipped, so two sweeps never wait on each other.
 */
export async function killExhaustedLeases(db: Kysely<Database>, dialect: DbDialect, now: number): Promise<Job[]> {
  let expired = db
    .selectFrom('jobs')
    .select('id')
    .where('state', '=', 'running')
    .where('locked_until', '<', now)
    .where((eb) => eb('attempts', '>=', eb.ref('max_attempts')));
  if (dialect === 'postgres') expired = expired.forUpdate().skipLocked();
  return db
    .updateTable('jobs')
    .set({
      state: 'dead',
      locked_by: null,
      locked_until: null,
      finished_at: now,
      updated_at: now,
      last_error: LEASE_EXPIRED_ERROR,
    })
    .where('id', 'in', expired)
    .returningAll()
    .execute();
}

/** Pushes the lease to `lockedUntil`. False when the lease is no longer ours. */
export async function extendLease(
  db: Kysely<Database>,
  lease: Lease,
  workerId: string,
  lockedUntil: number,
  now: number,
) {
  return guardedUpdate(db, lease, workerId, { locked_until: lockedUntil, updated_at: now });
}

/** Marks the job succeeded. False when the lease is no longer ours (nothing written). */
export async function completeJob(db: Kysely<Database>, lease: Lease, workerId: string, now: number) {
  return guardedUpdate(db, lease, workerId, {
    state: 'succeeded',
    finished_at: now,
    updated_at: now,
    last_error: null,
  });
}

/** Records a failure: `retry` at `runAt`, or `dead` (finished). False when the lease is no longer ours. */
export async function failJob(
  db: Kysely<Database>,
  lease: Lease,
  workerId: string,
  outcome:
    | { state: 'retry'; runAt: number; lastError: string; now: number }
    | { state: 'dead'; lastError: string; now: number },
) {
  const { now, lastError } = outcome;
  return outcome.state === 'retry'
    ? guardedUpdate(db, lease, workerId, {
        state: 'retry',
        run_at: outcome.runAt,
        last_error: lastError,
        updated_at: now,
      })
    : guardedUpdate(db, lease, workerId, { state: 'dead', finished_at: now, last_error: lastError, updated_at: now });
}

/** Gives an unfinished job back (shutdown): not a failure, so the attempt is not counted. */
export async function releaseJob(db: Kysely<Database>, lease: Lease, workerId: string, now: number) {
  const attempts = lease.attempts - 1;
  return guardedUpdate(db, lease, workerId, { state: attempts > 0 ? 'retry' : 'queued', attempts, updated_at: now });
}

type GuardedSet = Partial<
  Pick<Job, 'state' | 'attempts' | 'run_at' | 'last_error' | 'finished_at' | 'locked_until' | 'updated_at'>
>;

async function guardedUpdate(db: Kysely<Database>, lease: Lease, workerId: string, set: GuardedSet): Promise<boolean> {
  const unlock = set.state !== undefined && set.state !== 'running' ? { locked_by: null, locked_until: null } : {};
  const result = await db
    .updateTable('jobs')
    .set({ ...set, ...unlock })
    .where('id', '=', lease.id)
    .where('state', '=', 'running')
    .where('locked_by', '=', workerId)
    .where('attempts', '=', lease.attempts)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
