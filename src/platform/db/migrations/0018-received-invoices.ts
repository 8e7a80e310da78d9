import { type Kysely, sql } from 'kysely';

/**
 * Invoice collection (#14): what came in (`received_files`: every file stored unchanged, content-addressed in the
 * blob store, with its parse outcome; a ZIP is one row and each of its entries another, `parent_id` → the ZIP) and
 * the received-invoice pool (`received_invoices`: one row per invoice found, or typed in by hand). Idempotency by
 * content: one file row per (tenant, sha256), and one live item per (file, index in file) — a partial unique index, so
 * two uploads of the same file at once end with one set of items. Both dialects. Frozen once released.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('received_files')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('parent_id', 'text')
    .addColumn('entries_json', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('source_ref', 'text')
    .addColumn('brought_by', 'text')
    .addColumn('buyer_org_id', 'text')
    .addColumn('note', 'text')
    .addColumn('parse_status', 'text', (c) => c.notNull())
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('received_files_sha_uidx')
    .on('received_files')
    .columns(['tenant_id', 'sha256'])
    .unique()
    .execute();
  await db.schema
    .createIndex('received_files_list_idx')
    .on('received_files')
    .columns(['tenant_id', 'parent_id', 'id'])
    .execute();
  await db.schema
    .createIndex('received_files_source_idx')
    .on('received_files')
    .columns(['tenant_id', 'source', 'id'])
    .execute();

  await db.schema
    .createTable('received_invoices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('file_id', 'text', (c) => c.references('received_files.id'))
    .addColumn('index_in_file', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('source_ref', 'text')
    .addColumn('brought_by', 'text')
    .addColumn('buyer_org_id', 'text')
    .addColumn('note', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('code', 'text')
    .addColumn('number', 'text')
    .addColumn('issue_date', 'text')
    .addColumn('check_code', 'text')
    .addColumn('seller_name', 'text')
    .addColumn('seller_tax_id', 'text')
    .addColumn('buyer_name', 'text')
    .addColumn('buyer_tax_id', 'text')
    .addColumn('amount_fen', 'bigint')
    .addColumn('tax_fen', 'bigint')
    .addColumn('total_fen', 'bigint')
    .addColumn('is_red', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lines_json', 'text', (c) => c.notNull())
    .addColumn('remark', 'text')
    .addColumn('extraction_json', 'text', (c) => c.notNull())
    .addColumn('verification_status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('verified_at', 'bigint')
    .addColumn('compliance_result', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('compliance_json', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('duplicate_of', 'text')
    .addColumn('usage_status', 'text', (c) => c.notNull().defaultTo('unused'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('deleted_at', 'bigint')
    .execute();
  // One live item per invoice of a file: concurrent intakes of the same file insert one set.
  await db.schema
    .createIndex('received_invoices_file_uidx')
    .on('received_invoices')
    .columns(['file_id', 'index_in_file'])
    .unique()
    .where(sql.ref('deleted_at'), 'is', null)
    .execute();
  const indexes: ReadonlyArray<readonly [string, readonly string[]]> = [
    ['received_invoices_dup_idx', ['tenant_id', 'kind', 'number', 'code']],
    ['received_invoices_issue_date_idx', ['tenant_id', 'issue_date', 'id']],
    ['received_invoices_kind_idx', ['tenant_id', 'kind', 'id']],
    ['received_invoices_seller_idx', ['tenant_id', 'seller_tax_id', 'id']],
    ['received_invoices_buyer_org_idx', ['tenant_id', 'buyer_org_id', 'id']],
    ['received_invoices_verification_idx', ['tenant_id', 'verification_status', 'id']],
    ['received_invoices_compliance_idx', ['tenant_id', 'compliance_result', 'id']],
    ['received_invoices_source_idx', ['tenant_id', 'source', 'id']],
    ['received_invoices_brought_by_idx', ['tenant_id', 'brought_by', 'id']],
    ['received_invoices_number_idx', ['tenant_id', 'number', 'id']],
  ];
  for (const [name, columns] of indexes) {
    await db.schema
      .createIndex(name)
      .on('received_invoices')
      .columns([...columns])
      .execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('received_invoices').execute();
  await db.schema.dropTable('received_files').execute();
}
