import type { Kysely } from 'kysely';

/**
 * 自助打印 (issue #16, docs/counter.md): the stores' kiosk links (token stored as its SHA-256, revocable) and the
 * extraction codes (提取码, stored as a keyed hash) that with an order number (the invoice's serial number) let a
 * kiosk show that one invoice.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('counter_kiosks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('seller_tax_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('paper', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('counter_kiosks_tenant_idx').on('counter_kiosks').columns(['tenant_id']).execute();
  await db.schema
    .createTable('counter_extraction_codes')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('order_no', 'text', (c) => c.notNull())
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('counter_extraction_codes_pk', ['tenant_id', 'order_no'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('counter_extraction_codes').execute();
  await db.schema.dropTable('counter_kiosks').execute();
}
