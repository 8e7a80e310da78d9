import { type Kysely, sql } from 'kysely';

/**
 * `invoices.origin`: how a request came in (`direct` = the invoicing API, `scan_order` = a scan-to-invoice order),
 * set by the caller at creation instead of being read from the serial number's `S-` prefix. Backfill: an invoice is
 * `scan_order` when its serial number starts with `S-` and a scan order of the same tenant names it as its invoice;
 * every other one (direct requests, reds, a direct request that happens to start with `S-`) is `direct`. Both
 * dialects. Frozen once released: no imports from the modules.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('invoices')
    .addColumn('origin', 'text', (c) => c.notNull().defaultTo('direct'))
    .execute();
  await db
    .updateTable('invoices')
    .set({ origin: 'scan_order' })
    .where('serial_no', 'like', 'S-%')
    .where('is_red', '=', 0)
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('scan_orders as o')
          .select(sql`1`.as('one'))
          .whereRef('o.tenant_id', '=', 'invoices.tenant_id')
          .whereRef('o.invoice_serial_no', '=', 'invoices.serial_no'),
      ),
    )
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('invoices').dropColumn('origin').execute();
}
