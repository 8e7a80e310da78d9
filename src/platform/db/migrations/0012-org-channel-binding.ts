import type { Kysely } from 'kysely';

/**
 * Channel-account binding. `sandbox_credentials`: the per-tax-id login the simulated tax platform issues to a company
 * (an operator action; stored hashed, one per tax id, re-issuing replaces it). `org_channel_bindings`: which tenant's
 * org is logged in to the channel as a seller — the primary key on `tax_id` is what keeps one tax id bound to at most
 * one tenant at a time, whatever the concurrency. Frozen once released.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sandbox_credentials')
    .addColumn('tax_id', 'text', (c) => c.primaryKey())
    .addColumn('credential_hash', 'text', (c) => c.notNull())
    .addColumn('issued_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('org_channel_bindings')
    .addColumn('tax_id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('bound_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('org_channel_bindings_tenant_idx')
    .on('org_channel_bindings')
    .columns(['tenant_id', 'tax_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('org_channel_bindings').execute();
  await db.schema.dropTable('sandbox_credentials').execute();
}
