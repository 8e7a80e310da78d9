import { type Kysely, sql } from 'kysely';

/**
 * The claim reads only due `queued`/`retry` jobs in (priority, run_at, id) order, and the lease sweep only `running`
 * jobs by `locked_until`. Partial indexes on exactly those rows replace the (state, run_at) index: the claim walks
 * its index in order and stops after `limit` rows instead of sorting every waiting job, and finished jobs (almost
 * all rows) are in neither index, so completing a job removes an index entry instead of moving it. The queries
 * spell the states as literals: SQLite uses a partial index only when the query's WHERE implies the index's.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('jobs_claim_idx').execute();
  await sql`create index jobs_due_idx on jobs (priority, run_at, id) where state in ('queued', 'retry')`.execute(db);
  await sql`create index jobs_lease_idx on jobs (locked_until) where state = 'running'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('jobs_lease_idx').execute();
  await db.schema.dropIndex('jobs_due_idx').execute();
  await db.schema.createIndex('jobs_claim_idx').on('jobs').columns(['state', 'run_at']).execute();
}
