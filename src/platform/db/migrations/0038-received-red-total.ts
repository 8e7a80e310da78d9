import type { Kysely } from 'kysely';

/**
 * `received_invoices.red_total_fen`: the 价税合计 of the red invoices issued against a received invoice (≤ 0), as its
 * last verification found it (部分红冲: what remains claimable is `total_fen + red_total_fen`); null until a
 * verification disclosed it. Both dialects. Frozen once released: no imports from the modules.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('received_invoices').addColumn('red_total_fen', 'bigint').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('received_invoices').dropColumn('red_total_fen').execute();
}
