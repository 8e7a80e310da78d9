import type { Kysely } from 'kysely';

/**
 * The verification history of received invoices (#14 §3): one row per 查验 answer (or channel failure) of an item,
 * newest first per item. Both dialects. Frozen once released.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('received_verifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('received_id', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('mismatch_field', 'text')
    .addColumn('channel', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('received_verifications_item_idx')
    .on('received_verifications')
    .columns(['tenant_id', 'received_id', 'at'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('received_verifications').execute();
}
