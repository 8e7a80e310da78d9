import { type Kysely, sql } from 'kysely';

/**
 * Counter modes (issue #16, docs/counter.md): 预约二维码 (reservation QRs and their reservations, the per-org daily
 * 序号), the consumer endpoints' fixed-window abuse counters, and the buyer directory of 抬头联想 — filled from the
 * company buyers (with a tax id, not natural persons) of the tenants' issued invoices so far. Both dialects.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('counter_reservation_qrs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('key', 'text', (c) => c.notNull().unique())
    .addColumn('seller_tax_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('config_json', 'text', (c) => c.notNull())
    .addColumn('limits_json', 'text')
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('counter_reservation_qrs_tenant_idx')
    .on('counter_reservation_qrs')
    .columns(['tenant_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('counter_reservations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('qr_id', 'text', (c) => c.notNull().references('counter_reservation_qrs.id'))
    .addColumn('seller_tax_id', 'text', (c) => c.notNull())
    .addColumn('seq_day', 'bigint', (c) => c.notNull())
    .addColumn('seq_no', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('buyer_json', 'text', (c) => c.notNull())
    .addColumn('buyer_name', 'text', (c) => c.notNull())
    .addColumn('mobile', 'text')
    .addColumn('email', 'text')
    .addColumn('entry_json', 'text', (c) => c.notNull())
    .addColumn('lines_json', 'text')
    .addColumn('total_fen', 'bigint')
    .addColumn('invoice_id', 'text')
    .addColumn('invoice_serial_no', 'text')
    .addColumn('reject_reason', 'text')
    .addColumn('failure_reason', 'text')
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('counter_reservations_seq_uq')
    .on('counter_reservations')
    .columns(['tenant_id', 'seller_tax_id', 'seq_day', 'seq_no'])
    .unique()
    .execute();
  for (const [name, columns] of [
    ['counter_reservations_list_idx', ['tenant_id', 'created_at', 'id']],
    ['counter_reservations_updated_idx', ['tenant_id', 'updated_at']],
    ['counter_reservations_mobile_idx', ['tenant_id', 'mobile']],
    ['counter_reservations_email_idx', ['tenant_id', 'email']],
    ['counter_reservations_seq_idx', ['tenant_id', 'seq_no', 'created_at']],
    ['counter_reservations_serial_idx', ['tenant_id', 'invoice_serial_no']],
  ] as const) {
    await db.schema
      .createIndex(name)
      .on('counter_reservations')
      .columns([...columns])
      .execute();
  }

  await db.schema
    .createTable('counter_sequences')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('seller_tax_id', 'text', (c) => c.notNull())
    .addColumn('day_start', 'bigint', (c) => c.notNull())
    .addColumn('last_no', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('counter_sequences_pk', ['tenant_id', 'seller_tax_id', 'day_start'])
    .execute();

  await db.schema
    .createTable('counter_rate_counters')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('window_start', 'bigint', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('counter_rate_counters_pk', ['scope', 'subject', 'window_start'])
    .execute();
  await db.schema
    .createIndex('counter_rate_counters_window_idx')
    .on('counter_rate_counters')
    .columns(['window_start'])
    .execute();

  await db.schema
    .createTable('counter_buyer_directory')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('tax_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('counter_buyer_directory_pk', ['tenant_id', 'tax_id'])
    .execute();
  await sql`insert into counter_buyer_directory (tenant_id, tax_id, name, name_key, last_used_at)
    select tenant_id, buyer_tax_id, max(buyer_name), upper(max(buyer_name)), max(coalesce(issued_at, created_at))
      from invoices
     where status = 'issued' and buyer_tax_id is not null and buyer_tax_id <> ''
       and buyer_json not like '%"naturalPerson":true%'
     group by tenant_id, buyer_tax_id`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('counter_buyer_directory').execute();
  await db.schema.dropTable('counter_rate_counters').execute();
  await db.schema.dropTable('counter_sequences').execute();
  await db.schema.dropTable('counter_reservations').execute();
  await db.schema.dropTable('counter_reservation_qrs').execute();
}
