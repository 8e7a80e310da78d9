import { type Kysely, PostgresAdapter, sql } from 'kysely';

/**
 * PostgreSQL: the `jobs.queued` NOTIFY of migration 0025 only for a job that is due (issue #12 review). A job queued
 * or set to `retry` with its `run_at` in the future (a retry's backoff, a delayed job) used to wake every idle
 * worker on every node, for a claim that found nothing. Now the trigger function notifies only when
 * `run_at <= now + 500 ms` (epoch milliseconds, as the app stores them; the half second absorbs clock skew between
 * the app's hosts and the database, so a job due now on a node whose clock runs a little ahead still wakes the
 * others). A job due later is woken by the timer of the worker of the process that queued it (worker.ts `wakeAt`),
 * and on other nodes by their safety poll. The triggers of 0025 stay; only the function is replaced.
 *
 * SQLite: nothing (no trigger there; one process).
 *
 * Frozen once released: no imports from the modules.
 */
const isPostgres = (db: Kysely<any>) => db.getExecutor().adapter instanceof PostgresAdapter;

export async function up(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`
    create or replace function openfapiao_jobs_queued() returns trigger language plpgsql as $$
    begin
      if new.run_at <= (extract(epoch from clock_timestamp()) * 1000)::bigint + 500 then
        perform pg_notify('openfapiao_signals', '{"o":"db","t":"jobs.queued","k":"any"}');
      end if;
      return null;
    end
    $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`
    create or replace function openfapiao_jobs_queued() returns trigger language plpgsql as $$
    begin
      perform pg_notify('openfapiao_signals', '{"o":"db","t":"jobs.queued","k":"any"}');
      return null;
    end
    $$`.execute(db);
}
