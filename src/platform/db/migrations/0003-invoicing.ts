import type { Kysely } from 'kysely';

/** Invoice requests (blue and red) and the imported tax classification codes. Frozen once released. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('invoices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('serial_no', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('request_json', 'text', (c) => c.notNull())
    .addColumn('business_system_code', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('seller_tax_id', 'text', (c) => c.notNull())
    .addColumn('seller_json', 'text', (c) => c.notNull())
    .addColumn('buyer_name', 'text', (c) => c.notNull())
    .addColumn('buyer_tax_id', 'text')
    .addColumn('buyer_json', 'text', (c) => c.notNull())
    .addColumn('computed_json', 'text', (c) => c.notNull())
    .addColumn('amount_fen', 'bigint', (c) => c.notNull())
    .addColumn('tax_fen', 'bigint', (c) => c.notNull())
    .addColumn('total_fen', 'bigint', (c) => c.notNull())
    .addColumn('remark', 'text')
    .addColumn('drawer', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('number', 'text')
    .addColumn('code', 'text')
    .addColumn('check_code', 'text')
    .addColumn('issued_at', 'bigint')
    .addColumn('failure_code', 'text')
    .addColumn('failure_reason', 'text')
    .addColumn('is_red', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('blue_invoice_id', 'text')
    .addColumn('red_reason', 'text')
    .addColumn('red_form_id', 'text')
    .addColumn('red_form_no', 'text')
    .addColumn('red_form_status', 'text')
    .addColumn('status_before_red', 'text')
    .addColumn('reversed_amount_fen', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('reversed_tax_fen', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('invoices_tenant_serial_uq', ['tenant_id', 'serial_no'])
    .execute();
  await db.schema.createIndex('invoices_tenant_status_idx').on('invoices').columns(['tenant_id', 'status']).execute();
  await db.schema
    .createIndex('invoices_tenant_issued_idx')
    .on('invoices')
    .columns(['tenant_id', 'issued_at'])
    .execute();
  await db.schema.createIndex('invoices_tenant_number_idx').on('invoices').columns(['tenant_id', 'number']).execute();
  await db.schema.createIndex('invoices_blue_idx').on('invoices').columns(['tenant_id', 'blue_invoice_id']).execute();

  await db.schema
    .createTable('tax_codes')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('short_name', 'text', (c) => c.notNull())
    .addColumn('default_rate', 'text')
    .addColumn('is_summary', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('imported_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('tax_codes').execute();
  await db.schema.dropTable('invoices').execute();
}
