import type { Kysely, Updateable } from 'kysely';
import type { Database } from '../../platform/db/database.js';
import type { BusinessSystem, BusinessSystemTable } from './business-systems.tables.js';

/** False when the tenant already has a business system with this code. */
export async function insertBusinessSystemIfAbsent(db: Kysely<Database>, system: BusinessSystem): Promise<boolean> {
  const result = await db
    .insertInto('business_systems')
    .values(system)
    .onConflict((oc) => oc.columns(['tenant_id', 'code']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) !== 0;
}

export async function findBusinessSystemsOfTenant(db: Kysely<Database>, tenantId: string): Promise<BusinessSystem[]> {
  return db
    .selectFrom('business_systems')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export async function findBusinessSystemByCode(
  db: Kysely<Database>,
  tenantId: string,
  code: string,
): Promise<BusinessSystem | undefined> {
  return db
    .selectFrom('business_systems')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('code', '=', code)
    .executeTakeFirst();
}

export async function findBusinessSystemRowById(
  db: Kysely<Database>,
  tenantId: string,
  id: string,
): Promise<BusinessSystem | undefined> {
  return db
    .selectFrom('business_systems')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** The tenant's enabled systems that have a callback URL, by id. */
export async function findEnabledCallbackSystems(db: Kysely<Database>, tenantId: string): Promise<BusinessSystem[]> {
  return db
    .selectFrom('business_systems')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('enabled', '=', 1)
    .where('callback_url', 'is not', null)
    .orderBy('id')
    .execute();
}

export async function updateBusinessSystemRow(
  db: Kysely<Database>,
  id: string,
  set: Updateable<BusinessSystemTable>,
): Promise<void> {
  await db.updateTable('business_systems').set(set).where('id', '=', id).execute();
}
