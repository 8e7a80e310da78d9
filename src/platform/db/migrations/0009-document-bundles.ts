import type { Kysely } from 'kysely';

/**
 * An invoice's three files are stored as one blob (documents/storage/document-bundle.ts): each row keeps the file's
 * own sha256 and size, plus the blob holding it and the file's offset in it. Rows written before this migration have
 * neither: their file is a blob of its own (`sha256`, offset 0). Frozen once released.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('invoice_documents').addColumn('blob_sha256', 'text').execute();
  await db.schema.alterTable('invoice_documents').addColumn('blob_offset', 'bigint').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('invoice_documents').dropColumn('blob_offset').execute();
  await db.schema.alterTable('invoice_documents').dropColumn('blob_sha256').execute();
}
