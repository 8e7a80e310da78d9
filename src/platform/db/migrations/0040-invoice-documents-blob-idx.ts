import { type Kysely, sql } from 'kysely';

/**
 * `invoice_documents_blob_idx`: the blob each document row is stored in, `coalesce(blob_sha256, sha256)` (the bundle,
 * or the file itself on rows from before bundles, migration 0009), so that the orphan-blob sweep asks "does an invoice
 * document live in this blob" with an index lookup instead of a scan (docs/collection.md#orphan-blobs). One index
 * on an expression, not one per column: each document row pays for one more index entry. Both dialects. Frozen once
 * released: no imports from the modules.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('invoice_documents_blob_idx')
    .on('invoice_documents')
    .expression(sql`coalesce(blob_sha256, sha256)`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('invoice_documents_blob_idx').execute();
}
