import type { Kysely } from 'kysely';

/**
 * The channel request id of an invoice changes only when its data changes (PATCH), not on every retry: a retry
 * after "outcome unknown" must ask the channel under the same id, so an invoice it did record is found instead of
 * issued twice. Frozen once released.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('invoices')
    .addColumn('channel_revision', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('invoices').dropColumn('channel_revision').execute();
}
