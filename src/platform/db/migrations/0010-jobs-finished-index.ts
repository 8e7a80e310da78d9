import { type Kysely, sql } from 'kysely';

/**
 * Retention (JOB_RETENTION_DAYS) deletes succeeded and cancelled jobs by `finished_at`: a partial index over exactly
 * those rows lets the worker find the oldest ones without scanning the table. Frozen once released.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index jobs_finished_idx on jobs (finished_at) where state in ('succeeded', 'cancelled')`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('jobs_finished_idx').execute();
}
