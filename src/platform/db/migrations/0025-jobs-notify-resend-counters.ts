import { type Kysely, PostgresAdapter, sql } from 'kysely';

/**
 * Two changes of issue #12's third round.
 *
 * 1. PostgreSQL: a job that becomes claimable (inserted or set `queued`/`retry`) sends a NOTIFY on the platform signals'
 * channel (topic `jobs.queued`), so idle workers on every node wake on it instead of polling (worker.ts: with the
 * listener up the idle poll is only a 5 s safety net). NOTIFY is transactional: sent at the commit, once per
 * transaction (identical payloads fold). The wire format is the signals' (`o` origin, `t` topic, `k` key). Jobs
 * inserted already claimed by a local worker (direct dispatch, `running`) send nothing. SQLite: nothing (one process;
 * the enqueuer wakes its own worker).
 *
 * 2. Both dialects: `delivery_resend_counters`, one row per invoice holding the start times of its recent manual
 * re-sends (a JSON array of epoch ms, at most the limit's worth inside the window), so the re-send limit is one
 * conditional upsert instead of an advisory lock, a count and the inserts (no lock across a round trip). Existing
 * manual re-sends are carried over (every batch's time; the first charge keeps those inside the window).
 *
 * Frozen once released: no imports from the modules.
 */
const isPostgres = (db: Kysely<any>) => db.getExecutor().adapter instanceof PostgresAdapter;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('delivery_resend_counters')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('invoice_id', 'text', (c) => c.notNull())
    .addColumn('times', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('delivery_resend_counters_pk', ['tenant_id', 'invoice_id'])
    .execute();
  const batches = sql`select tenant_id, invoice_id, batch_id, min(created_at) as at from buyer_deliveries
    where "trigger" = 'manual' group by tenant_id, invoice_id, batch_id`;
  if (!isPostgres(db)) {
    await sql`insert into delivery_resend_counters (tenant_id, invoice_id, times, updated_at)
      select tenant_id, invoice_id, json_group_array(at), max(at) from (${batches} order by at) b
      group by tenant_id, invoice_id`.execute(db);
    return;
  }
  await sql`insert into delivery_resend_counters (tenant_id, invoice_id, times, updated_at)
    select tenant_id, invoice_id, json_agg(at order by at)::text, max(at) from (${batches}) b
    group by tenant_id, invoice_id`.execute(db);
  await sql`
    create function openfapiao_jobs_queued() returns trigger language plpgsql as $$
    begin
      perform pg_notify('openfapiao_signals', '{"o":"db","t":"jobs.queued","k":"any"}');
      return null;
    end
    $$`.execute(db);
  await sql`
    create trigger jobs_queued_insert after insert on jobs
    for each row when (new.state in ('queued', 'retry'))
    execute function openfapiao_jobs_queued()`.execute(db);
  await sql`
    create trigger jobs_queued_update after update of state on jobs
    for each row when (new.state in ('queued', 'retry') and old.state is distinct from new.state)
    execute function openfapiao_jobs_queued()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('delivery_resend_counters').execute();
  if (!isPostgres(db)) return;
  await sql`drop trigger if exists jobs_queued_update on jobs`.execute(db);
  await sql`drop trigger if exists jobs_queued_insert on jobs`.execute(db);
  await sql`drop function if exists openfapiao_jobs_queued()`.execute(db);
}
