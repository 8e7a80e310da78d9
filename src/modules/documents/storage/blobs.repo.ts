import type { Insertable, Kysely } from 'kysely';
import type { Database } from '../../../platform/db/database.js';

/** Insert-or-ignore on the SHA-256 key (content-addressed: the same key is the same bytes). */
export async function insertBlobIfAbsent(db: Kysely<Database>, row: Insertable<Database['document_blobs']>) {
  await db
    .insertInto('document_blobs')
    .values(row)
    .onConflict((oc) => oc.column('sha256').doNothing())
    .execute();
}

export async function findBlobBytes(db: Kysely<Database>, sha256: string) {
  return db.selectFrom('document_blobs').select('bytes').where('sha256', '=', sha256).executeTakeFirst();
}

export async function deleteBlobRow(db: Kysely<Database>, sha256: string): Promise<void> {
  await db.deleteFrom('document_blobs').where('sha256', '=', sha256).execute();
}
