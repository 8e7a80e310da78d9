import type { Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';
import type { Database } from '../../platform/db/database.js';

type Db = Kysely<Database> | Transaction<Database>;

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

/** The newest `last_used_at` of the tenant's directory (epoch ms), or null when it is empty. */
export async function directoryWatermark(db: Db, tenantId: string): Promise<number | null> {
  const row = await db
    .selectFrom('counter_buyer_directory')
    .select((eb) => eb.fn.max('last_used_at').as('at'))
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
  return row?.at == null ? null : Number(row.at);
}

/** Records (or refreshes) several company buyers in one statement; a later `last_used_at` wins. */
export async function upsertDirectoryEntries(
  db: Db,
  rows: readonly { tenant_id: string; tax_id: string; name: string; last_used_at: number }[],
): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('counter_buyer_directory')
    .values(rows.map((r) => ({ ...r, name_key: r.name.toUpperCase() })))
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'tax_id']).doUpdateSet((eb) => ({
        name: eb.ref('excluded.name'),
        name_key: eb.ref('excluded.name_key'),
        last_used_at: eb.ref('excluded.last_used_at'),
      })),
    )
    .execute();
}
