import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/database.js';
import type { ReceivedRulesRow } from './compliance.tables.js';

/** Every rules row of a tenant (its default and the orgs with their own rules). */
export async function findRulesRowsOfTenant(db: Kysely<Database>, tenantId: string): Promise<ReceivedRulesRow[]> {
  return db.selectFrom('received_rules').selectAll().where('tenant_id', '=', tenantId).execute();
}

/** The row of one scope (`buyerOrgId` null: the tenant's default). */
export async function findRulesRow(
  db: Kysely<Database>,
  tenantId: string,
  buyerOrgId: string | null,
): Promise<ReceivedRulesRow | undefined> {
  return db
    .selectFrom('received_rules')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('buyer_org_id', buyerOrgId === null ? 'is' : '=', buyerOrgId)
    .executeTakeFirst();
}

/** Inserts or replaces the rules of a scope in one statement (the unique indexes of migration 0022 arbitrate). */
export async function upsertRulesRow(db: Kysely<Database>, row: ReceivedRulesRow): Promise<void> {
  const set = { rules: row.rules, updated_at: row.updated_at, updated_by: row.updated_by };
  await db
    .insertInto('received_rules')
    .values(row)
    .onConflict((oc) =>
      row.buyer_org_id === null
        ? oc.column('tenant_id').where('buyer_org_id', 'is', null).doUpdateSet(set)
        : oc.columns(['tenant_id', 'buyer_org_id']).doUpdateSet(set),
    )
    .execute();
}

/** Removes an org's own rules (it inherits the tenant's default again); true when there were some. */
export async function deleteRulesRow(db: Kysely<Database>, tenantId: string, buyerOrgId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('received_rules')
    .where('tenant_id', '=', tenantId)
    .where('buyer_org_id', '=', buyerOrgId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
