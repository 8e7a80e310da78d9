import type { Kysely } from 'kysely';

/**
 * 抵扣勾选 on the tenant's side (issue #15 §7, docs/deduction.md): each received invoice's deduction state (selected
 * or confirmed in a 所属期 with its effective tax, or 不抵扣 with a reason) and each buyer org's periods (open or
 * confirmed). Both dialects. Frozen once released.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('deduction_selections')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('received_invoice_id', 'text', (c) => c.notNull())
    .addColumn('buyer_tax_id', 'text', (c) => c.notNull())
    .addColumn('period', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('code', 'text')
    .addColumn('number', 'text')
    .addColumn('issue_date', 'text')
    .addColumn('seller_name', 'text')
    .addColumn('seller_tax_id', 'text')
    .addColumn('amount_fen', 'bigint')
    .addColumn('full_tax_fen', 'bigint')
    .addColumn('tax_fen', 'bigint')
    .addColumn('tax_basis', 'text')
    .addColumn('reason', 'text')
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('deduction_selections_pk', ['tenant_id', 'received_invoice_id'])
    .execute();
  await db.schema
    .createIndex('deduction_selections_period_idx')
    .on('deduction_selections')
    .columns(['tenant_id', 'buyer_tax_id', 'period', 'status'])
    .execute();
  await db.schema
    .createTable('deduction_periods')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('buyer_tax_id', 'text', (c) => c.notNull())
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('confirmed_by', 'text')
    .addColumn('confirmed_at', 'bigint')
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('tax_fen', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('deduction_periods_pk', ['tenant_id', 'buyer_tax_id', 'period'])
    .execute();
}
