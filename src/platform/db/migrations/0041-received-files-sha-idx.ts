import type { Kysely } from 'kysely';

/**
 * `received_files_sha_idx`: `received_files` by `sha256` alone, so that the orphan-blob sweep asks "is a file of any
 * tenant stored in this blob" with one index lookup (docs/collection.md#orphan-blobs). The (tenant_id, sha256) unique
 * index cannot answer it without walking every tenant. Each stored file pays for one more index entry (measured in
 * docs/benchmarks.md#collect-intake-received-files-per-second). Both dialects. Frozen once released: no imports from
 * the modules.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('received_files_sha_idx').on('received_files').column('sha256').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('received_files_sha_idx').execute();
}
