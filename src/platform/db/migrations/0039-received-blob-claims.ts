import type { Kysely } from 'kysely';

/**
 * `received_blob_claims`: the blobs intake has written for a file whose `received_files` row is not committed yet
 * (SHA-256, when claimed or last touched by the intake in flight). The intake's transaction deletes its claims; what
 * a crash or a shutdown left behind is removed by the orphan sweep once older than the grace period
 * (docs/collection.md#orphan-blobs). Both dialects. Frozen once released: no imports from the modules.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('received_blob_claims')
    .addColumn('sha256', 'text', (c) => c.primaryKey())
    .addColumn('claimed_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('received_blob_claims_claimed_at')
    .on('received_blob_claims')
    .column('claimed_at')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('received_blob_claims').execute();
}
