/** The simulated platform's 查验 side: platform-wide lookups, the import table, and the daily check counter. */
import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../../platform/db/database.js';
import type { SandboxVerifyImportTable } from '../channels.tables.js';
import type { LedgerRow } from './ledger-rows.js';

export type ImportedInvoiceRow = Selectable<SandboxVerifyImportTable>;

/** The ledger row of an invoice, whichever tenant issued it (the platform verifies any invoice). */
export async function findPlatformLedgerRow(
  db: Kysely<Database>,
  number: string,
  code: string,
): Promise<LedgerRow | undefined> {
  return db
    .selectFrom('sandbox_ledger')
    .selectAll()
    .where('number', '=', number)
    .where('code', '=', code)
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
}

export async function findImportedInvoice(
  db: Kysely<Database>,
  number: string,
  code: string,
): Promise<ImportedInvoiceRow | undefined> {
  return db
    .selectFrom('sandbox_verify_imports')
    .selectAll()
    .where('number', '=', number)
    .where('code', '=', code)
    .executeTakeFirst();
}

/** Inserts or replaces imported invoices (by number + code) in one transaction. */
export async function upsertImportedInvoices(db: Kysely<Database>, rows: readonly ImportedInvoiceRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < rows.length; i += 200) {
      await trx
        .insertInto('sandbox_verify_imports')
        .values(rows.slice(i, i + 200))
        .onConflict((oc) =>
          oc.columns(['number', 'code']).doUpdateSet((eb) => ({
            kind: eb.ref('excluded.kind'),
            issue_date: eb.ref('excluded.issue_date'),
            check_code: eb.ref('excluded.check_code'),
            seller_name: eb.ref('excluded.seller_name'),
            seller_tax_id: eb.ref('excluded.seller_tax_id'),
            buyer_name: eb.ref('excluded.buyer_name'),
            buyer_tax_id: eb.ref('excluded.buyer_tax_id'),
            amount_fen: eb.ref('excluded.amount_fen'),
            tax_fen: eb.ref('excluded.tax_fen'),
            total_fen: eb.ref('excluded.total_fen'),
            lines_json: eb.ref('excluded.lines_json'),
            remark: eb.ref('excluded.remark'),
            status: eb.ref('excluded.status'),
            red_amount_fen: eb.ref('excluded.red_amount_fen'),
            red_tax_fen: eb.ref('excluded.red_tax_fen'),
            source: eb.ref('excluded.source'),
            imported_at: eb.ref('excluded.imported_at'),
          })),
        )
        .execute();
    }
  });
}

/**
 * Counts one 查验 of an invoice on a China day and returns the day's count including it: one statement (upsert and
 * return), so concurrent checks never lose a count and no lock is held across a round trip.
 */
export async function countCheck(
  db: Kysely<Database>,
  key: { number: string; code: string; day: string },
): Promise<number> {
  const row = await db
    .insertInto('sandbox_verify_checks')
    .values({ number: key.number, code: key.code, day: key.day, checks: 1 })
    .onConflict((oc) =>
      oc
        .columns(['number', 'code', 'day'])
        .doUpdateSet((eb) => ({ checks: eb('sandbox_verify_checks.checks', '+', 1) })),
    )
    .returning('checks')
    .executeTakeFirstOrThrow();
  return Number(row.checks);
}

/** Drops check counters of days before `day` (YYYY-MM-DD); returns how many. */
export async function deleteChecksBefore(db: Kysely<Database>, day: string): Promise<number> {
  const result = await db.deleteFrom('sandbox_verify_checks').where('day', '<', day).executeTakeFirst();
  return Number(result.numDeletedRows);
}
