import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../../platform/db/database.js';
import { fetchPage, type Page } from '../../../platform/db/pagination.js';
import type { LedgerStatus, SandboxLedgerTable } from '../channels.tables.js';

type LedgerRow = Selectable<SandboxLedgerTable>;

export async function findLedgerByRequest(
  db: Kysely<Database>,
  tenantId: string,
  requestId: string,
): Promise<LedgerRow | undefined> {
  return db
    .selectFrom('sandbox_ledger')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('request_id', '=', requestId)
    .executeTakeFirst();
}

/** A ledger row by number (and 发票代码 for legacy kinds; '' for 数电). */
export async function findLedgerByNumber(
  db: Kysely<Database>,
  tenantId: string,
  number: string,
  code: string,
): Promise<LedgerRow | undefined> {
  return db
    .selectFrom('sandbox_ledger')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('number', '=', number)
    .where('code', '=', code)
    .executeTakeFirst();
}

export async function getLedgerRow(db: Kysely<Database>, tenantId: string, id: string): Promise<LedgerRow> {
  return db
    .selectFrom('sandbox_ledger')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

/** One page of the tenant's ledger in descending id order, optionally one number. */
export async function listLedgerRows(
  db: Kysely<Database>,
  tenantId: string,
  number: string | undefined,
  page: { cursor?: string | undefined; limit: number },
): Promise<Page<LedgerRow>> {
  let q = db.selectFrom('sandbox_ledger').selectAll().where('tenant_id', '=', tenantId);
  if (number) q = q.where('number', '=', number);
  return fetchPage(q, page);
}

export async function insertLedgerRow(db: Kysely<Database>, row: LedgerRow): Promise<void> {
  await db.insertInto('sandbox_ledger').values(row).execute();
}

/** Touches a row (updated_at), which locks it on PostgreSQL until the transaction ends; returns it. */
export async function touchLedgerRow(
  db: Kysely<Database>,
  tenantId: string,
  id: string,
  now: number,
): Promise<LedgerRow> {
  return db
    .updateTable('sandbox_ledger')
    .set({ updated_at: now })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Adds a red invoice's (negative) amounts to its blue; returns the blue's amounts after. */
export async function addRedAmounts(
  db: Kysely<Database>,
  blue: Pick<LedgerRow, 'tenant_id' | 'id'>,
  red: { amountFen: number; taxFen: number },
  now: number,
) {
  return db
    .updateTable('sandbox_ledger')
    .set((eb) => ({
      red_amount_fen: eb('red_amount_fen', '+', red.amountFen),
      red_tax_fen: eb('red_tax_fen', '+', red.taxFen),
      updated_at: now,
    }))
    .where('tenant_id', '=', blue.tenant_id)
    .where('id', '=', blue.id)
    .returning(['amount_fen', 'tax_fen', 'red_amount_fen', 'red_tax_fen'])
    .executeTakeFirstOrThrow();
}

export async function setLedgerStatus(db: Kysely<Database>, id: string, status: LedgerStatus): Promise<void> {
  await db.updateTable('sandbox_ledger').set({ status }).where('id', '=', id).execute();
}
