import type { Kysely } from 'kysely';

/**
 * The sandbox's 查验 side (#14 §3): the operator's import table of invoices from elsewhere, the per-invoice daily
 * check counter (5 a day), a platform-wide lookup index on the ledger (the platform verifies any tenant's invoice),
 * the index of the nightly re-verification, and the verification providers' rate and daily quota counters. Both dialects. Frozen once released.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sandbox_verify_imports')
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('number', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('issue_date', 'text', (c) => c.notNull())
    .addColumn('check_code', 'text')
    .addColumn('seller_name', 'text', (c) => c.notNull())
    .addColumn('seller_tax_id', 'text', (c) => c.notNull())
    .addColumn('buyer_name', 'text', (c) => c.notNull())
    .addColumn('buyer_tax_id', 'text')
    .addColumn('amount_fen', 'bigint', (c) => c.notNull())
    .addColumn('tax_fen', 'bigint', (c) => c.notNull())
    .addColumn('total_fen', 'bigint', (c) => c.notNull())
    .addColumn('lines_json', 'text', (c) => c.notNull())
    .addColumn('remark', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('red_amount_fen', 'bigint', (c) => c.notNull())
    .addColumn('red_tax_fen', 'bigint', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('imported_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('sandbox_verify_imports_pk', ['number', 'code'])
    .execute();
  await db.schema
    .createTable('sandbox_verify_checks')
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('number', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('checks', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('sandbox_verify_checks_pk', ['number', 'code', 'day'])
    .execute();
  await db.schema.createIndex('sandbox_verify_checks_day_idx').on('sandbox_verify_checks').columns(['day']).execute();
  await db.schema
    .createIndex('sandbox_ledger_platform_number_idx')
    .on('sandbox_ledger')
    .columns(['number', 'code'])
    .execute();
  // The nightly re-verification walks items verified 正常, stalest first, across tenants.
  await db.schema
    .createIndex('received_invoices_reverify_idx')
    .on('received_invoices')
    .columns(['verification_status', 'verified_at', 'id'])
    .execute();
  await db.schema
    .createTable('verification_limits')
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('value', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('verification_limits_pk', ['provider', 'period'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('verification_limits').execute();
  await db.schema.dropIndex('received_invoices_reverify_idx').execute();
  await db.schema.dropIndex('sandbox_ledger_platform_number_idx').execute();
  await db.schema.dropTable('sandbox_verify_checks').execute();
  await db.schema.dropTable('sandbox_verify_imports').execute();
}
