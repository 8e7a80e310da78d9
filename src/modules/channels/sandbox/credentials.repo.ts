import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/database.js';

/** Stores the hash of a tax id's credential, replacing any earlier one. */
export async function saveCredentialHash(
  db: Kysely<Database>,
  row: { tax_id: string; credential_hash: string; issued_at: number },
): Promise<void> {
  await db
    .insertInto('sandbox_credentials')
    .values(row)
    .onConflict((oc) =>
      oc.column('tax_id').doUpdateSet({ credential_hash: row.credential_hash, issued_at: row.issued_at }),
    )
    .execute();
}

export async function findCredentialHash(
  db: Kysely<Database>,
  taxId: string,
): Promise<{ credential_hash: string } | undefined> {
  return db.selectFrom('sandbox_credentials').select('credential_hash').where('tax_id', '=', taxId).executeTakeFirst();
}
