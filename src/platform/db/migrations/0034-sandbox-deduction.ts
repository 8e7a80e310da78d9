import type { Kysely } from 'kysely';

/**
 * The sandbox's 抵扣勾选 ledger (issue #15 §7, docs/deduction.md#sandbox): one platform-wide row per selected or
 * deducted invoice (keyed by 发票代码 + number, whoever selected it) and the confirmed (locked) periods per buyer tax
 * id. Both dialects. Frozen once released.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sandbox_deductions')
    .addColumn('invoice_key', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('number', 'text', (c) => c.notNull())
    .addColumn('buyer_tax_id', 'text', (c) => c.notNull())
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('ref', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('tax_fen', 'bigint', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('selected_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('sandbox_deductions_period_idx')
    .on('sandbox_deductions')
    .columns(['buyer_tax_id', 'period'])
    .execute();
  await db.schema
    .createTable('sandbox_deduction_periods')
    .addColumn('buyer_tax_id', 'text', (c) => c.notNull())
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('confirmed_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('sandbox_deduction_periods_pk', ['buyer_tax_id', 'period'])
    .execute();
}
