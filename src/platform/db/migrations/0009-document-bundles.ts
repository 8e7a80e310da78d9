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
  // Code from before bundles reads a file as the blob named by its own sha256, which a bundled file is not: forget
  // those rows, so that code renders and stores the files again on the next download.
  await db.deleteFrom('invoice_documents').where('blob_sha256', 'is not', null).execute();
  await db.schema.alterTable('invoice_documents').dropColumn('blob_offset').execute();
  await db.schema.alterTable('invoice_documents').dropColumn('blob_sha256').execute();
}
