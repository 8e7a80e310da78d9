import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/database.js';
import { SANDBOX_PLATFORM_TENANT } from '../channels.tables.js';

/**
 * Hands out the next number of a platform-wide sequence (1, 2, …). Call inside a transaction: the row lock taken by
 * `update … returning` serialises concurrent callers on PostgreSQL until commit, and a rollback gives the number
 * back, so numbers are unique and gap-free among committed invoices. SQLite runs one transaction at a time.
 */
export async function nextSequence(trx: Kysely<Database>, scope: string): Promise<number> {
  await trx
    .insertInto('sandbox_sequences')
    .values({ tenant_id: SANDBOX_PLATFORM_TENANT, scope, value: 0 })
    .onConflict((oc) => oc.columns(['tenant_id', 'scope']).doNothing())
    .execute();
  const row = await trx
    .updateTable('sandbox_sequences')
    .set((eb) => ({ value: eb('value', '+', 1) }))
    .where('tenant_id', '=', SANDBOX_PLATFORM_TENANT)
    .where('scope', '=', scope)
    .returning('value')
    .executeTakeFirstOrThrow();
  return Number(row.value);
}
