import type { Kysely } from 'kysely';

/**
 * Limits on a setting's static (preset) link: per-setting limits and the merchant's confirmation flag on the setting,
 * the flag copied onto each static order, the accepted submissions the limits count (client addresses as keyed
 * hashes only), and the limit exceptions the monitor shows (one row per limit and window). Frozen once released.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('scan_settings').addColumn('limits_json', 'text').execute();
  await db.schema
    .alterTable('scan_settings')
    .addColumn('require_confirmation', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('scan_orders')
    .addColumn('needs_confirmation', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable('scan_static_submissions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('setting_id', 'text', (c) => c.notNull().references('scan_settings.id'))
    .addColumn('client_hash', 'text', (c) => c.notNull())
    .addColumn('amount_fen', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('scan_static_submissions_setting_idx')
    .on('scan_static_submissions')
    .columns(['setting_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('scan_static_submissions_client_idx')
    .on('scan_static_submissions')
    .columns(['setting_id', 'client_hash', 'created_at'])
    .execute();
  await db.schema
    .createIndex('scan_static_submissions_created_idx')
    .on('scan_static_submissions')
    .columns(['created_at'])
    .execute();

  await db.schema
    .createTable('scan_link_exceptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('setting_id', 'text', (c) => c.notNull().references('scan_settings.id'))
    .addColumn('limit_name', 'text', (c) => c.notNull())
    .addColumn('window_start', 'bigint', (c) => c.notNull())
    .addColumn('limit_value', 'text', (c) => c.notNull())
    .addColumn('rejected', 'integer', (c) => c.notNull())
    .addColumn('first_at', 'bigint', (c) => c.notNull())
    .addColumn('last_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('scan_link_exceptions_window_uq', ['setting_id', 'limit_name', 'window_start'])
    .execute();
  await db.schema
    .createIndex('scan_link_exceptions_tenant_idx')
    .on('scan_link_exceptions')
    .columns(['tenant_id', 'last_at'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('scan_link_exceptions').execute();
  await db.schema.dropTable('scan_static_submissions').execute();
  await db.schema.alterTable('scan_orders').dropColumn('needs_confirmation').execute();
  await db.schema.alterTable('scan_settings').dropColumn('require_confirmation').execute();
  await db.schema.alterTable('scan_settings').dropColumn('limits_json').execute();
}
