import { type Kysely, sql } from 'kysely';
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
 * Claims up to `limit` due `queued`/`retry` jobs by priority then run_at. One atomic statement: `with due as
 * materialized (select … limit n [for update skip locked]) update jobs … where id in (select id from due) returning
 * *`. On PostgreSQL, `skip locked` lets concurrent workers pass over each other's rows, and materializing the CTE
 * makes the locking select run exactly once: as a plain `in (subquery)` the planner may rescan it, and a rescan skips
 * the rows this statement already updated and locks the next ones, claiming more than `limit`. The select walks
 * `jobs_due_idx` (partial, migration 0008) in order. Jobs whose lease expired are not claimed here: the worker's
 * sweep ({@link sweepExpiredLeases}) first puts them back to `retry`.
 */
export async function claimJobs(db: Kysely<Database>, opts: ClaimOptions): Promise<Job[]> {
  if (opts.limit <= 0) return [];
  let jobs: Job[];
  if (opts.dialect === 'sqlite') {
    // SQLite evaluates RETURNING column by column: `returning *` made the claim ~3× dearer than the update itself
    // (measured 260 vs 80 µs). Return the ids, then read the claimed rows by primary key. Nobody else can take
    // them in between: they are running under our lease now. One transaction, so a failing read cannot leave jobs
    // claimed but never started (they would wait out the lease and lose an attempt).
    // (Inside a caller's transaction — a finishing job claiming its successor — that transaction is the one.)
    const claimAndRead = async (trx: Kysely<Database>) => {
      const claimed = await claimJobsQuery(trx, opts).returning('id').execute();
      if (claimed.length === 0) return [];
      const ids = claimed.map((row) => row.id);
      return trx.selectFrom('jobs').selectAll().where('id', 'in', ids).execute();
    };
    jobs = db.isTransaction ? await claimAndRead(db) : await db.transaction().execute(claimAndRead);
  } else {
    jobs = await claimJobsQuery(db, opts).returningAll().execute();
  }
  return jobs.sort((a, b) => a.priority - b.priority || a.run_at - b.run_at || (a.id < b.id ? -1 : 1));
}

/** The statement of {@link claimJobs} (exported for the query-plan test). */
export function claimJobsQuery(db: Kysely<Database>, opts: ClaimOptions) {
  return db
    .with(
      (cte) => cte('due').materialized(),
      (qc) => {
        const due = qc
          .selectFrom('jobs')
          .select('id')
          .where(WAITING)
          .where('run_at', '<=', opts.now)
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
    .where('id', 'in', (eb) => eb.selectFrom('due').select('due.id'));
}

/** The predicates of the partial indexes, as literals (a bound parameter would not match the index's WHERE). */
const WAITING = sql<boolean>`state in ('queued', 'retry')`;
const RUNNING = sql<boolean>`state = 'running'`;

/**
 * Deals with `running` jobs whose lease expired (their worker crashed or hung): those with attempts left go back to
 * `retry` (run_at kept, so they are due at once and keep their place; the next claim counts a new attempt), those
 * without go to `dead` and are returned (for their onDead hooks). Writes elsewhere are guarded by `locked_by` and
 * `attempts`, so the worker that lost the lease can no longer extend or finish the job. On PostgreSQL one statement
 * (the expired rows selected and locked once, both updates as data-modifying CTEs), and rows another worker is
 * already handling are skipped, so two sweeps never wait on each other; on SQLite two updates.
 */
export async function sweepExpiredLeases(db: Kysely<Database>, dialect: DbDialect, now: number): Promise<Job[]> {
  if (dialect === 'postgres') {
    // One statement (it runs every second on every worker): the expired rows locked once, then both updates.
    const result = await sql<Job>`
      with expired as materialized (
        select id, attempts < max_attempts as again from jobs
        where ${RUNNING} and locked_until < ${now}
        for update skip locked
      ), retried as (
        update jobs set state = 'retry', locked_by = null, locked_until = null, updated_at = ${now}
        from expired where jobs.id = expired.id and expired.again
      )
      update jobs set state = 'dead', locked_by = null, locked_until = null, finished_at = ${now},
        updated_at = ${now}, last_error = ${LEASE_EXPIRED_ERROR}
      from expired where jobs.id = expired.id and not expired.again
      returning jobs.*`.execute(db);
    return result.rows;
  }
  const expired = (exhausted: boolean) =>
    db
      .selectFrom('jobs')
      .select('id')
      .where(RUNNING)
      .where('locked_until', '<', now)
      .where((eb) =>
        exhausted ? eb('attempts', '>=', eb.ref('max_attempts')) : eb('attempts', '<', eb.ref('max_attempts')),
      );
  await db
    .updateTable('jobs')
    .set({ state: 'retry', locked_by: null, locked_until: null, updated_at: now })
    .where('id', 'in', expired(false))
    .execute();
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
    .where('id', 'in', expired(true))
    .returningAll()
    .execute();
}

/** Finished states that retention deletes (dead jobs stay until an operator retries or cancels them). */
const PURGEABLE = sql<boolean>`state in ('succeeded', 'cancelled')`;

/**
 * Deletes up to `limit` succeeded or cancelled jobs that finished before `finishedBefore`, oldest first, through
 * `jobs_finished_idx` (migration 0010). Returns how many it deleted. Small batches keep each statement short on
 * the shared SQLite connection; on PostgreSQL rows another worker is purging are skipped.
 */
export async function purgeFinishedJobs(
  db: Kysely<Database>,
  dialect: DbDialect,
  opts: { finishedBefore: number; limit: number },
): Promise<number> {
  let old = db
    .selectFrom('jobs')
    .select('id')
    .where(PURGEABLE)
    .where('finished_at', '<', opts.finishedBefore)
    .orderBy('finished_at')
    .limit(opts.limit);
  if (dialect === 'postgres') old = old.forUpdate().skipLocked();
  const result = await db.deleteFrom('jobs').where('id', 'in', old).executeTakeFirst();
  return Number(result.numDeletedRows);
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
