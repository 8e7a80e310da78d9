import type { Kysely } from 'kysely';

/**
 * 柜台 settings per seller org (issue #16): the 码上开票 QR validity, the scan setting its orders use, and the thermal
 * receipt (小票) layout. Both dialects. Frozen once released.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('counter_settings')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('seller_tax_id', 'text', (c) => c.notNull())
    .addColumn('scan_setting_key', 'text')
    .addColumn('qr_validity_minutes', 'integer', (c) => c.notNull())
    .addColumn('receipt_json', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('counter_settings_pk', ['tenant_id', 'seller_tax_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('counter_settings').execute();
}
