import type { Kysely } from 'kysely';

/**
 * Sandbox channel (simulated national tax platform): settings, rule hit counters, number sequences, monthly credit
 * quotas, the invoice ledger and red confirmation forms. Frozen once released; only features both dialects share.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sandbox_settings')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey())
    .addColumn('settings_json', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('sandbox_rule_hits')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('rule_index', 'integer', (c) => c.notNull())
    .addColumn('hits', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('sandbox_rule_hits_pk', ['tenant_id', 'rule_index'])
    .execute();

  await db.schema
    .createTable('sandbox_sequences')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('value', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('sandbox_sequences_pk', ['tenant_id', 'scope'])
    .execute();

  await db.schema
    .createTable('sandbox_quotas')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('seller_tax_id', 'text', (c) => c.notNull())
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('total_fen', 'bigint')
    .addColumn('used_fen', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('sandbox_quotas_pk', ['tenant_id', 'seller_tax_id', 'month'])
    .execute();

  await createLedger(db);
  await createRedForms(db);
}

async function createLedger(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sandbox_ledger')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('number', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('check_code', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('seller_tax_id', 'text', (c) => c.notNull())
    .addColumn('seller_name', 'text', (c) => c.notNull())
    .addColumn('seller_region', 'text', (c) => c.notNull())
    .addColumn('buyer_name', 'text', (c) => c.notNull())
    .addColumn('buyer_tax_id', 'text')
    .addColumn('buyer_natural_person', 'integer', (c) => c.notNull())
    .addColumn('amount_fen', 'bigint', (c) => c.notNull())
    .addColumn('tax_fen', 'bigint', (c) => c.notNull())
    .addColumn('total_fen', 'bigint', (c) => c.notNull())
    .addColumn('issued_at', 'bigint', (c) => c.notNull())
    .addColumn('lines_json', 'text', (c) => c.notNull())
    .addColumn('is_red', 'integer', (c) => c.notNull())
    .addColumn('blue_number', 'text')
    .addColumn('red_form_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('red_amount_fen', 'bigint', (c) => c.notNull())
    .addColumn('red_tax_fen', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('sandbox_ledger_request_uq', ['tenant_id', 'request_id'])
    .addUniqueConstraint('sandbox_ledger_number_uq', ['tenant_id', 'code', 'number'])
    .execute();
}

async function createRedForms(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sandbox_red_forms')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('form_no', 'text', (c) => c.notNull())
    .addColumn('seller_tax_id', 'text', (c) => c.notNull())
    .addColumn('buyer_name', 'text', (c) => c.notNull())
    .addColumn('buyer_tax_id', 'text')
    .addColumn('blue_ledger_id', 'text', (c) => c.notNull())
    .addColumn('blue_number', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('amount_fen', 'bigint', (c) => c.notNull())
    .addColumn('tax_fen', 'bigint', (c) => c.notNull())
    .addColumn('lines_json', 'text', (c) => c.notNull())
    .addColumn('applied_at', 'bigint', (c) => c.notNull())
    .addColumn('confirm_by', 'bigint')
    .addColumn('decided_at', 'bigint')
    .addColumn('red_ledger_id', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('sandbox_red_forms_request_uq', ['tenant_id', 'request_id'])
    .addUniqueConstraint('sandbox_red_forms_form_no_uq', ['tenant_id', 'form_no'])
    .execute();
  await db.schema
    .createIndex('sandbox_red_forms_blue_idx')
    .on('sandbox_red_forms')
    .columns(['tenant_id', 'blue_ledger_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'sandbox_red_forms',
    'sandbox_ledger',
    'sandbox_quotas',
    'sandbox_sequences',
    'sandbox_rule_hits',
    'sandbox_settings',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
