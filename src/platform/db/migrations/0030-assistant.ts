import type { Kysely } from 'kysely';

/**
 * The invoice assistant and reimbursement (issue #15, docs/assistant.md): employees and their folders (个人票夹),
 * event codes that open the assistant pages for one bill, the imports pushed to expense systems (consumed once),
 * bills (单据) binding received invoices with claimed amounts, the per-invoice claim counter (the one row a bill save
 * updates conditionally, so concurrent saves never claim more than an invoice's total), vouchers (凭证) booking
 * invoices, and a business system's `frame-ancestors` for embedding the pages. Both dialects. Frozen once released.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('employees')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('external_id', 'text')
    .addColumn('user_id', 'text')
    .addColumn('name', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('employees_external_uq')
    .on('employees')
    .columns(['tenant_id', 'external_id'])
    .unique()
    .execute();
  await db.schema.createIndex('employees_user_uq').on('employees').columns(['tenant_id', 'user_id']).unique().execute();

  await db.schema
    .createTable('folder_items')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('received_invoice_id', 'text', (c) => c.notNull())
    .addColumn('employee_id', 'text', (c) => c.notNull().references('employees.id'))
    .addColumn('added_at', 'bigint', (c) => c.notNull())
    .addColumn('handed_over_from', 'text')
    .addColumn('handed_over_at', 'bigint')
    .addPrimaryKeyConstraint('folder_items_pk', ['tenant_id', 'received_invoice_id'])
    .execute();
  await db.schema
    .createIndex('folder_items_employee_idx')
    .on('folder_items')
    .columns(['tenant_id', 'employee_id', 'added_at'])
    .execute();

  await db.schema
    .createTable('assistant_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('code_hash', 'text', (c) => c.notNull().unique())
    .addColumn('business_system_id', 'text', (c) => c.notNull())
    .addColumn('resource', 'text', (c) => c.notNull())
    .addColumn('bill_id', 'text', (c) => c.notNull())
    .addColumn('bill_no', 'text')
    .addColumn('bill_type', 'text')
    .addColumn('bill_tax_no', 'text')
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('employee_id', 'text', (c) => c.notNull())
    .addColumn('link_key', 'text', (c) => c.notNull())
    .addColumn('push_type', 'text', (c) => c.notNull())
    .addColumn('company_json', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('assistant_events_bill_uq')
    .on('assistant_events')
    .columns(['tenant_id', 'resource', 'bill_id'])
    .unique()
    .execute();
  await db.schema
    .createIndex('assistant_events_link_idx')
    .on('assistant_events')
    .columns(['tenant_id', 'link_key'])
    .execute();

  await db.schema
    .createTable('assistant_imports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('event_id', 'text', (c) => c.notNull().references('assistant_events.id'))
    .addColumn('link_key', 'text', (c) => c.notNull())
    .addColumn('payload_json', 'text', (c) => c.notNull())
    .addColumn('invoice_count', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('consumed_at', 'bigint')
    .addColumn('consumed_by', 'text')
    .execute();
  await db.schema
    .createIndex('assistant_imports_link_idx')
    .on('assistant_imports')
    .columns(['tenant_id', 'link_key', 'created_at'])
    .execute();
  await db.schema.createIndex('assistant_imports_expiry_idx').on('assistant_imports').columns(['expires_at']).execute();

  await db.schema
    .createTable('bills')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('business_system_id', 'text')
    .addColumn('resource', 'text', (c) => c.notNull())
    .addColumn('bill_id', 'text', (c) => c.notNull())
    .addColumn('bill_no', 'text')
    .addColumn('bill_type', 'text')
    .addColumn('bill_tax_no', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('cover_json', 'text')
    .addColumn('alerts_json', 'text')
    .addColumn('invoice_count', 'integer', (c) => c.notNull())
    .addColumn('claimed_fen', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('bills_key_uq')
    .on('bills')
    .columns(['tenant_id', 'resource', 'bill_id'])
    .unique()
    .execute();
  await db.schema.createIndex('bills_list_idx').on('bills').columns(['tenant_id', 'updated_at', 'id']).execute();

  await db.schema
    .createTable('bill_invoices')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('bill_pk', 'text', (c) => c.notNull().references('bills.id'))
    .addColumn('received_invoice_id', 'text', (c) => c.notNull())
    .addColumn('amount_fen', 'bigint', (c) => c.notNull())
    .addColumn('deduction_flag', 'text')
    .addColumn('deduction_tax_fen', 'bigint')
    .addColumn('output_amount_fen', 'bigint')
    .addColumn('remark', 'text')
    .addColumn('entry_id', 'text')
    .addColumn('ext_json', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('bill_invoices_pk', ['bill_pk', 'received_invoice_id'])
    .execute();
  await db.schema
    .createIndex('bill_invoices_invoice_idx')
    .on('bill_invoices')
    .columns(['tenant_id', 'received_invoice_id'])
    .execute();

  await db.schema
    .createTable('invoice_claims')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('received_invoice_id', 'text', (c) => c.notNull())
    .addColumn('total_fen', 'bigint', (c) => c.notNull())
    .addColumn('claimed_fen', 'bigint', (c) => c.notNull())
    .addColumn('bill_count', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('invoice_claims_pk', ['tenant_id', 'received_invoice_id'])
    .execute();

  await db.schema
    .createTable('vouchers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('business_system_id', 'text')
    .addColumn('resource', 'text', (c) => c.notNull())
    .addColumn('vouch_id', 'text', (c) => c.notNull())
    .addColumn('vouch_no', 'text')
    .addColumn('account_date', 'text')
    .addColumn('account_time', 'text')
    .addColumn('business_date', 'text')
    .addColumn('invoice_count', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('vouchers_key_uq')
    .on('vouchers')
    .columns(['tenant_id', 'resource', 'vouch_id'])
    .unique()
    .execute();
  await db.schema.createIndex('vouchers_list_idx').on('vouchers').columns(['tenant_id', 'updated_at', 'id']).execute();

  await db.schema
    .createTable('voucher_invoices')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('voucher_pk', 'text', (c) => c.notNull().references('vouchers.id'))
    .addColumn('received_invoice_id', 'text', (c) => c.notNull())
    .addColumn('bill_pk', 'text')
    .addPrimaryKeyConstraint('voucher_invoices_pk', ['tenant_id', 'received_invoice_id'])
    .execute();
  await db.schema.createIndex('voucher_invoices_voucher_idx').on('voucher_invoices').columns(['voucher_pk']).execute();

  await db.schema.alterTable('business_systems').addColumn('frame_ancestors', 'text').execute();
}
