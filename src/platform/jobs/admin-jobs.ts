import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { fetchPage } from '../db/pagination.js';
import { JOB_STATES, type Job, type JobState } from './jobs.tables.js';

/** Largest page {@link listJobs} returns. */
export const LIST_JOBS_MAX_LIMIT = 500;

/**
 * Tenant scope of the admin helpers. Required on purpose: a route that forgot it must not see every tenant's jobs.
 * A string sees that tenant's jobs only; `null` is the system/CLI scope and sees all jobs.
 */
export interface JobScope {
  tenantId: string | null;
}

/** Filters of {@link listJobs}. */
export interface ListJobsOptions extends JobScope {
  state?: JobState;
  task?: string;
  /** `nextCursor` of the previous page. */
  cursor?: string | null;
  /** Page size, 1..500. */
  limit: number;
}

/** A page of jobs, newest first. */
export interface ListJobsResult {
  items: Job[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** Lists jobs newest first (ids from `newId('job')` sort by creation time), with cursor pagination. */
export async function listJobs(db: Kysely<Database>, opts: ListJobsOptions): Promise<ListJobsResult> {
  const limit = Math.min(Math.max(Math.trunc(opts.limit), 1), LIST_JOBS_MAX_LIMIT);
  let query = db.selectFrom('jobs').selectAll();
  if (opts.tenantId !== null) query = query.where('tenant_id', '=', opts.tenantId);
  if (opts.state !== undefined) query = query.where('state', '=', opts.state);
  if (opts.task !== undefined) query = query.where('task', '=', opts.task);
  return fetchPage(query, { cursor: opts.cursor, limit });
}

/** One job in scope, or null (also for another tenant's job: callers answer 404, never 403). */
export async function getJob(db: Kysely<Database>, opts: JobScope & { id: string }): Promise<Job | null> {
  let query = db.selectFrom('jobs').selectAll().where('id', '=', opts.id);
  if (opts.tenantId !== null) query = query.where('tenant_id', '=', opts.tenantId);
  return (await query.executeTakeFirst()) ?? null;
}

/** Jobs in scope counted by task and state (only pairs that have jobs), by task then state. */
export async function countJobsByTaskAndState(
  db: Kysely<Database>,
  scope: JobScope,
): Promise<{ task: string; state: JobState; count: number }[]> {
  let query = db
    .selectFrom('jobs')
    .select((eb) => ['task', 'state', eb.fn.countAll<number | string | bigint>().as('count')])
    .groupBy(['task', 'state']);
  if (scope.tenantId !== null) query = query.where('tenant_id', '=', scope.tenantId);
  const rows = await query.execute();
  return rows
    .map((r) => ({ task: r.task, state: r.state, count: Number(r.count) }))
    .sort((a, b) =>
      a.task === b.task ? JOB_STATES.indexOf(a.state) - JOB_STATES.indexOf(b.state) : a.task < b.task ? -1 : 1,
    );
}

/**
 * Jobs waiting for a later run time (`queued` or `retry` with `run_at` after `now`): scheduled maintenance such as the
 * audit sealer's next window, and retries in their backoff. For the Prometheus gauge `openfapiao_jobs_scheduled`.
 */
export async function countScheduledJobs(db: Kysely<Database>, now: number): Promise<number> {
  const row = await db
    .selectFrom('jobs')
    .select((eb) => eb.fn.countAll<number | string | bigint>().as('count'))
    .where('state', 'in', ['queued', 'retry'])
    .where('run_at', '>', now)
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}

/** Number of jobs in each state, every state present (zeros included). For the Prometheus gauge. */
export async function countJobsByState(db: Kysely<Database>): Promise<Record<JobState, number>> {
  const rows = await db
    .selectFrom('jobs')
    .select((eb) => ['state', eb.fn.countAll<number | string | bigint>().as('count')])
    .groupBy('state')
    .execute();
  const counts = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
  for (const row of rows) {
    if ((JOB_STATES as readonly string[]).includes(row.state)) counts[row.state] = Number(row.count);
  }
  return counts;
}
