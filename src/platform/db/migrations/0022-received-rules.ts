import { type Kysely, sql } from 'kysely';

/**
 * 合规规则 of received invoices (#14): one row per tenant and buyer org with its own rules, and one row per tenant
 * (buyer_org_id null) for its default. Two unique indexes: (tenant_id, buyer_org_id) for org rows, and a partial
 * one on tenant_id where buyer_org_id is null (NULLs are distinct in a plain unique index on both dialects). Both
 * dialects. Frozen once released.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('received_rules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('buyer_org_id', 'text', (c) => c.references('orgs.id'))
    .addColumn('rules', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('received_rules_org_uq')
    .on('received_rules')
    .columns(['tenant_id', 'buyer_org_id'])
    .unique()
    .execute();
  await db.schema
    .createIndex('received_rules_default_uq')
    .on('received_rules')
    .column('tenant_id')
    .unique()
    .where(sql.ref('buyer_org_id'), 'is', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('received_rules').execute();
}
