import {
  type Kysely,
  type QueryCreator,
  type RawBuilder,
  sql,
  type Transaction,
  type Updateable,
  type UpdateQueryBuilder,
} from 'kysely';
import { compiledInsert } from '../../platform/db/compiled-insert.js';
import type { Database } from '../../platform/db/database.js';
import { fetchPage, type Page } from '../../platform/db/pagination.js';
import type { SqliteRun } from '../../platform/db/sqlite-sync.js';
import type { OrderSource, ScanOrder, ScanOrderTable, StoredOrderStatus } from './scan.tables.js';

type Db = Kysely<Database> | Transaction<Database>;

export async function findOrderByNo(db: Db, tenantId: string, orderNo: string): Promise<ScanOrder | undefined> {
  return db
    .selectFrom('scan_orders')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('order_no', '=', orderNo)
    .executeTakeFirst();
}

export async function findOrderByTokenHash(db: Db, tokenHash: string): Promise<ScanOrder | undefined> {
  return db.selectFrom('scan_orders').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

export async function findOrderById(db: Db, id: string): Promise<ScanOrder | undefined> {
  return db.selectFrom('scan_orders').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The order an invoice was issued for (its serial number is derived from the order number). */
export async function findOrderByInvoiceSerial(
  db: Db,
  tenantId: string,
  serialNo: string,
): Promise<ScanOrder | undefined> {
  return db
    .selectFrom('scan_orders')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('invoice_serial_no', '=', serialNo)
    .executeTakeFirst();
}

/** Inserts unless the tenant already has the order number; false when another insert won. */
export async function insertOrder(db: Db, order: ScanOrder): Promise<boolean> {
  return (await insertOrderRow(db, order)) > 0;
}

/** {@link insertOrder} as a statement of a synchronous SQLite transaction (platform/db/sqlite-sync.ts). */
export function insertOrderSync(run: SqliteRun, order: ScanOrder): boolean {
  return insertOrderRow.sync(run, order) > 0;
}

const ORDER_COLUMNS = [
  'id',
  'tenant_id',
  'setting_id',
  'order_no',
  'source',
  'token_hash',
  'token_enc',
  'request_hash',
  'status',
  'seller_tax_id',
  'allowed_kinds',
  'content_json',
  'items_json',
  'total_fen',
  'notify_json',
  'buyer_json',
  'invoice_id',
  'invoice_serial_no',
  'failure_reason',
  'needs_confirmation',
  'expires_at',
  'submitted_at',
  'invoiced_at',
  'created_at',
  'updated_at',
] as const satisfies readonly (keyof ScanOrderTable)[];
/** Every column of the table is written (a column added to the table and not here fails to compile). */
const allOrderColumns: [Exclude<keyof ScanOrderTable, (typeof ORDER_COLUMNS)[number]>] extends [never] ? true : never =
  true;
/** The order push's insert, its SQL built once (compiled-insert.ts): it runs on every push. */
const insertOrderRow =
  allOrderColumns && compiledInsert('scan_orders', ORDER_COLUMNS, ' on conflict ("tenant_id", "order_no") do nothing');

/**
 * PostgreSQL: inserts the order unless the tenant already has its number and — only when it was inserted — what goes
 * with it (`with`: raw CTE bodies reading the CTE `ins`, e.g. its jobs and audit entry), in ONE statement. True when
 * inserted.
 */
export async function insertOrderWith(db: Db, order: ScanOrder, withs: RawBuilder<unknown>[]): Promise<boolean> {
  const insert = db
    .insertInto('scan_orders')
    .values(order)
    .onConflict((oc) => oc.columns(['tenant_id', 'order_no']).doNothing())
    .returning('id');
  const ctes = [sql`ins as (${insert})`, ...withs.map((body, i) => sql`${sql.id(`w${i}`)} as ${body}`)];
  const result = await sql<{ id: string }>`with ${sql.join(ctes)} select id from ins`.execute(db);
  return result.rows.length === 1;
}

/**
 * The one way an order changes state: only when it is still in one of `from` (and, with `openUntil`, not expired).
 * Returns true when this call made the change, so racing callers (double taps, two phones) get exactly one winner.
 */
export async function updateOrderIf(
  db: Db,
  id: string,
  from: readonly StoredOrderStatus[],
  set: Updateable<ScanOrderTable>,
  options: { notExpiredAt?: number } = {},
): Promise<boolean> {
  let query = db.updateTable('scan_orders').set(set).where('id', '=', id).where('status', 'in', from);
  if (options.notExpiredAt !== undefined) query = query.where('expires_at', '>', options.notExpiredAt);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * {@link updateOrderIf} answering the changed row (undefined: not changed), for a caller that would otherwise read the
 * order first. `orderNo` must match too (the caller derives values of `set` from it).
 */
export async function updateOrderIfReturning(
  db: Db,
  id: string,
  orderNo: string,
  from: readonly StoredOrderStatus[],
  set: Updateable<ScanOrderTable>,
  notify: ((id: RawBuilder<unknown>) => RawBuilder<unknown> | null) | null = null,
): Promise<ScanOrder | undefined> {
  const update = (qc: QueryCreator<Database>) =>
    qc
      .updateTable('scan_orders')
      .set(set)
      .where('id', '=', id)
      .where('order_no', '=', orderNo)
      .where('status', 'in', from);
  return updateOneNotifying(db, update, notify);
}

/**
 * The order an invoice was issued for (by its serial number), moved from one of `from` with `set`, answered as changed
 * (undefined: none was in `from`) — the read and the change in ONE statement. `notify(id)`: an expression of the
 * changed row's id to select with it (a folded signal's `pg_notify`, PostgreSQL).
 */
export async function settleOrderBySerial(
  db: Db,
  tenantId: string,
  serialNo: string,
  from: readonly StoredOrderStatus[],
  set: Updateable<ScanOrderTable>,
  notify: ((id: RawBuilder<unknown>) => RawBuilder<unknown> | null) | null = null,
): Promise<ScanOrder | undefined> {
  const update = (qc: QueryCreator<Database>) =>
    qc
      .updateTable('scan_orders')
      .set(set)
      .where('tenant_id', '=', tenantId)
      .where('invoice_serial_no', '=', serialNo)
      .where('status', 'in', from);
  return updateOneNotifying(db, update, notify);
}

/** Updates fields of an order by id, never its status (status changes are compare-and-set: {@link updateOrderIf}). */
export async function updateOrderById(
  db: Db,
  id: string,
  set: Omit<Updateable<ScanOrderTable>, 'status'>,
): Promise<void> {
  await db.updateTable('scan_orders').set(set).where('id', '=', id).execute();
}

export interface OrderFilters {
  /** Only these sellers' orders (a clerk's orgs; none assigned: nothing). */
  sellerTaxIds?: readonly string[];
  settingId?: string;
  status?: StoredOrderStatus;
  source?: OrderSource;
  /** Static orders waiting for the merchant's confirmation (submitted, needs_confirmation). */
  awaitingConfirmation?: boolean;
  orderNo?: string;
  /** Created on or after this day (YYYY-MM-DD, China time). */
  createdFrom?: string;
  /** Created on or before this day (YYYY-MM-DD, China time, inclusive). */
  createdTo?: string;
}

const CST_OFFSET_MS = 8 * 3600_000;
const dayStart = (date: string) => Date.parse(`${date}T00:00:00Z`) - CST_OFFSET_MS;

/** The tenant's orders, newest first, one cursor page. */
export async function listOrders(
  db: Db,
  tenantId: string,
  filters: OrderFilters,
  page: { cursor?: string; limit: number },
): Promise<Page<ScanOrder>> {
  let q = db.selectFrom('scan_orders').selectAll().where('tenant_id', '=', tenantId);
  if (filters.sellerTaxIds !== undefined) {
    const ids = filters.sellerTaxIds;
    q = q.where((eb) => (ids.length === 0 ? sql<boolean>`1 = 0` : eb('seller_tax_id', 'in', ids)));
  }
  if (filters.settingId !== undefined) q = q.where('setting_id', '=', filters.settingId);
  if (filters.status !== undefined) q = q.where('status', '=', filters.status);
  if (filters.source !== undefined) q = q.where('source', '=', filters.source);
  if (filters.orderNo !== undefined) q = q.where('order_no', '=', filters.orderNo);
  if (filters.createdFrom) q = q.where('created_at', '>=', dayStart(filters.createdFrom));
  if (filters.createdTo) q = q.where('created_at', '<', dayStart(filters.createdTo) + 86_400_000);
  if (filters.awaitingConfirmation === true) {
    q = q.where('status', '=', 'submitted').where('needs_confirmation', '=', 1);
  } else if (filters.awaitingConfirmation === false) {
    q = q.where((eb) => eb.or([eb('status', '!=', 'submitted'), eb('needs_confirmation', '=', 0)]));
  }
  return fetchPage(q, page);
}

/**
 * Runs `update` (of at most one order) and answers the changed row; with a `notify` expression, in ONE statement that
 * also selects it for the changed row's id (a folded signal's `pg_notify`).
 */
async function updateOneNotifying(
  db: Db,
  update: (qc: QueryCreator<Database>) => UpdateQueryBuilder<Database, 'scan_orders', 'scan_orders', object>,
  notify: ((id: RawBuilder<unknown>) => RawBuilder<unknown> | null) | null,
): Promise<ScanOrder | undefined> {
  const expression = notify?.(sql.ref('u.id')) ?? null;
  if (!expression) return update(db).returningAll().executeTakeFirst();
  const row = await db
    .with('u', (qc) => update(qc).returningAll())
    .selectFrom('u')
    .selectAll()
    .select(expression.as('notified'))
    .executeTakeFirst();
  if (!row) return undefined;
  const { notified: _, ...order } = row as typeof row & { notified: unknown };
  return order as ScanOrder;
}
