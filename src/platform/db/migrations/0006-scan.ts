import type { Kysely } from 'kysely';

/** Scan-to-invoice: dynamic QR settings and orders. Frozen once released. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('scan_settings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('key', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text')
    .addColumn('seller_tax_id', 'text', (c) => c.notNull())
    .addColumn('business_system_code', 'text')
    .addColumn('scan_type', 'text', (c) => c.notNull())
    .addColumn('allowed_kinds', 'text', (c) => c.notNull())
    .addColumn('validity_days', 'integer', (c) => c.notNull())
    .addColumn('preset_json', 'text')
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('secret_enc', 'text', (c) => c.notNull())
    .addColumn('secret_rotated_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('scan_settings_tenant_idx').on('scan_settings').columns(['tenant_id']).execute();

  await db.schema
    .createTable('scan_orders')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('setting_id', 'text', (c) => c.notNull().references('scan_settings.id'))
    .addColumn('order_no', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.unique())
    .addColumn('token_enc', 'text')
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('seller_tax_id', 'text', (c) => c.notNull())
    .addColumn('allowed_kinds', 'text', (c) => c.notNull())
    .addColumn('content_json', 'text', (c) => c.notNull())
    .addColumn('items_json', 'text', (c) => c.notNull())
    .addColumn('total_fen', 'bigint', (c) => c.notNull())
    .addColumn('notify_json', 'text')
    .addColumn('buyer_json', 'text')
    .addColumn('invoice_id', 'text')
    .addColumn('invoice_serial_no', 'text')
    .addColumn('failure_reason', 'text')
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('submitted_at', 'bigint')
    .addColumn('invoiced_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('scan_orders_tenant_order_uq', ['tenant_id', 'order_no'])
    .execute();
  await db.schema
    .createIndex('scan_orders_invoice_serial_idx')
    .on('scan_orders')
    .columns(['tenant_id', 'invoice_serial_no'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('scan_orders').execute();
  await db.schema.dropTable('scan_settings').execute();
}
