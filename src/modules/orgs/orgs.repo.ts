import type { Kysely, Updateable } from 'kysely';
import type { Database } from '../../platform/db/database.js';
import type { Org, OrgChannelBinding, OrgTable } from './orgs.tables.js';

/** False when the tenant already has an org with this tax id. */
export async function insertOrgIfAbsent(db: Kysely<Database>, org: Org): Promise<boolean> {
  const result = await db
    .insertInto('orgs')
    .values(org)
    .onConflict((oc) => oc.columns(['tenant_id', 'tax_id']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) !== 0;
}

export async function findOrgsOfTenant(db: Kysely<Database>, tenantId: string): Promise<Org[]> {
  return db
    .selectFrom('orgs')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export async function findOrgByTaxId(db: Kysely<Database>, tenantId: string, taxId: string): Promise<Org | undefined> {
  return db
    .selectFrom('orgs')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('tax_id', '=', taxId)
    .executeTakeFirst();
}

export async function updateOrgRow(
  db: Kysely<Database>,
  tenantId: string,
  id: string,
  set: Updateable<OrgTable>,
): Promise<void> {
  await db.updateTable('orgs').set(set).where('id', '=', id).where('tenant_id', '=', tenantId).execute();
}

/** Inserts the binding unless the tax id is bound already (its primary key): true when this call bound it. */
export async function insertBindingIfAbsent(db: Kysely<Database>, row: OrgChannelBinding): Promise<boolean> {
  const inserted = await db
    .insertInto('org_channel_bindings')
    .values(row)
    .onConflict((oc) => oc.column('tax_id').doNothing())
    .executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function deleteBinding(db: Kysely<Database>, tenantId: string, taxId: string): Promise<void> {
  await db.deleteFrom('org_channel_bindings').where('tax_id', '=', taxId).where('tenant_id', '=', tenantId).execute();
}

export async function findBindingsOfTenant(db: Kysely<Database>, tenantId: string): Promise<OrgChannelBinding[]> {
  return db.selectFrom('org_channel_bindings').selectAll().where('tenant_id', '=', tenantId).execute();
}

export async function findBinding(db: Kysely<Database>, taxId: string): Promise<OrgChannelBinding | undefined> {
  return db.selectFrom('org_channel_bindings').selectAll().where('tax_id', '=', taxId).executeTakeFirst();
}
