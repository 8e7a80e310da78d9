import type { Insertable, Kysely } from 'kysely';
import type { Database } from '../../platform/db/database.js';

export async function findImportedTaxCodes(db: Kysely<Database>) {
  return db.selectFrom('tax_codes').selectAll().execute();
}

/** Inserts codes, or replaces the stored ones with the same code. */
export async function upsertTaxCodes(db: Kysely<Database>, rows: Insertable<Database['tax_codes']>[]): Promise<void> {
  await db
    .insertInto('tax_codes')
    .values(rows)
    .onConflict((oc) =>
      oc.column('code').doUpdateSet((eb) => ({
        name: eb.ref('excluded.name'),
        short_name: eb.ref('excluded.short_name'),
        default_rate: eb.ref('excluded.default_rate'),
        is_summary: eb.ref('excluded.is_summary'),
        imported_at: eb.ref('excluded.imported_at'),
      })),
    )
    .execute();
}
