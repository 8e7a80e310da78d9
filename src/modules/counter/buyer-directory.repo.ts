import type { Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';
import type { Database } from '../../platform/db/database.js';

type Db = Kysely<Database> | Transaction<Database>;

/** Records (or refreshes) a company buyer of an issued invoice: one upsert. */
export async function upsertDirectoryEntry(
  db: Db,
  row: { tenant_id: string; tax_id: string; name: string; last_used_at: number },
): Promise<void> {
  const nameKey = row.name.toUpperCase();
  await db
    .insertInto('counter_buyer_directory')
    .values({ ...row, name_key: nameKey })
    .onConflict((oc) =>
      oc
        .columns(['tenant_id', 'tax_id'])
        .doUpdateSet({ name: row.name, name_key: nameKey, last_used_at: row.last_used_at }),
    )
    .execute();
}

/**
 * The tenant's company buyers whose name contains `needle` (upper-cased, LIKE-escaped with `\`), most recently
 * invoiced first.
 */
export async function searchDirectory(db: Db, tenantId: string, needle: string, limit: number) {
  return db
    .selectFrom('counter_buyer_directory')
    .select(['name', 'tax_id'])
    .where('tenant_id', '=', tenantId)
    .where(sql<boolean>`name_key like ${`%${needle}%`} escape '\\'`)
    .orderBy('last_used_at', 'desc')
    .orderBy('tax_id')
    .limit(limit)
    .execute();
}
