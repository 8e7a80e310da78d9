import { type Insertable, type Kysely, type RawBuilder, sql, type Transaction, type Updateable } from 'kysely';
import type { Database } from '../../platform/db/database.js';
import type {
  CounterReservationQrTable,
  CounterReservationTable,
  Reservation,
  ReservationQr,
  ReservationStatus,
} from './counter.tables.js';

type Db = Kysely<Database> | Transaction<Database>;

// --- reservation QRs -------------------------------------------------------------------------------------------

export async function insertReservationQr(db: Db, row: Insertable<CounterReservationQrTable>): Promise<void> {
  await db.insertInto('counter_reservation_qrs').values(row).execute();
}

export async function updateReservationQr(
  db: Db,
  id: string,
  set: Updateable<CounterReservationQrTable>,
): Promise<void> {
  await db.updateTable('counter_reservation_qrs').set(set).where('id', '=', id).execute();
}

export async function findReservationQrByKey(db: Db, key: string): Promise<ReservationQr | undefined> {
  return db.selectFrom('counter_reservation_qrs').selectAll().where('key', '=', key).executeTakeFirst();
}

export async function findReservationQrById(db: Db, id: string): Promise<ReservationQr | undefined> {
  return db.selectFrom('counter_reservation_qrs').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listReservationQrs(db: Db, tenantId: string, sellerTaxIds: readonly string[] | null) {
  let q = db.selectFrom('counter_reservation_qrs').selectAll().where('tenant_id', '=', tenantId);
  if (sellerTaxIds)
    q = sellerTaxIds.length > 0 ? q.where('seller_tax_id', 'in', sellerTaxIds) : q.where(sql.lit(false));
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(200).execute();
}

// --- reservations ----------------------------------------------------------------------------------------------

/** A new reservation without its 序号 (allocated by the insert). */
export type NewReservation = Omit<Insertable<CounterReservationTable>, 'seq_no'>;

/**
 * Allocates the next 序号 of the org's day and inserts the reservation with it (and `withs`, PostgreSQL CTE bodies
 * reading the CTE `ins`, such as its expiry job). PostgreSQL: ONE statement — the sequence row is locked only while
 * it runs, never across a round trip. SQLite (one writer): the upsert and the insert in the caller's transaction
 * (`after` then runs in it). Answers the 序号.
 */
export async function insertReservationWithSeq(
  db: Db,
  dialect: 'sqlite' | 'postgres',
  row: NewReservation,
  withs: RawBuilder<unknown>[],
  after?: (trx: Transaction<Database>) => Promise<void>,
): Promise<number> {
  const t = sql.table('counter_sequences');
  const upsert = sql`insert into counter_sequences (tenant_id, seller_tax_id, day_start, last_no)
    values (${row.tenant_id}, ${row.seller_tax_id}, ${row.seq_day}, 1)
    on conflict (tenant_id, seller_tax_id, day_start) do update set last_no = ${t}.last_no + 1
    returning last_no`;
  if (dialect === 'postgres') {
    const insert = db
      .insertInto('counter_reservations')
      .values({ ...row, seq_no: sql<number>`(select last_no from seq)` })
      .returning(['id', 'seq_no']);
    const ctes = [
      sql`seq as (${upsert})`,
      sql`ins as (${insert})`,
      ...withs.map((body, i) => sql`${sql.id(`w${i}`)} as ${body}`),
    ];
    const { rows } = await sql<{ seq_no: number | string }>`with ${sql.join(ctes)} select seq_no from ins`.execute(db);
    return Number(rows[0]!.seq_no);
  }
  const run = async (trx: Transaction<Database>) => {
    const { rows } = await sql<{ last_no: number }>`${upsert}`.execute(trx);
    const seqNo = Number(rows[0]!.last_no);
    await trx
      .insertInto('counter_reservations')
      .values({ ...row, seq_no: seqNo })
      .execute();
    await after?.(trx);
    return seqNo;
  };
  return db.isTransaction ? run(db as Transaction<Database>) : (db as Kysely<Database>).transaction().execute(run);
}

export async function findReservationById(db: Db, id: string): Promise<Reservation | undefined> {
  return db.selectFrom('counter_reservations').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findReservationByTokenHash(db: Db, tokenHash: string): Promise<Reservation | undefined> {
  return db.selectFrom('counter_reservations').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

export async function findReservationBySerial(
  db: Db,
  tenantId: string,
  serialNo: string,
): Promise<Reservation | undefined> {
  return db
    .selectFrom('counter_reservations')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('invoice_serial_no', '=', serialNo)
    .executeTakeFirst();
}

/** The one way a reservation changes state: only from one of `from`. True when this call made the change. */
export async function updateReservationIf(
  db: Db,
  id: string,
  from: readonly ReservationStatus[],
  set: Updateable<CounterReservationTable>,
): Promise<boolean> {
  const result = await db
    .updateTable('counter_reservations')
    .set(set)
    .where('id', '=', id)
    .where('status', 'in', from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Fields other than the status (status changes are compare-and-set: {@link updateReservationIf}). */
export async function updateReservationById(
  db: Db,
  id: string,
  set: Omit<Updateable<CounterReservationTable>, 'status'>,
): Promise<void> {
  await db.updateTable('counter_reservations').set(set).where('id', '=', id).execute();
}

export interface ReservationFilter {
  sellerTaxIds?: readonly string[];
  qrId?: string;
  status?: ReservationStatus;
  /** Exactly one of the search keys, as the caller classified the search text. */
  seqNo?: number;
  mobile?: string;
  email?: string;
  /** Already escaped for LIKE (`\` escapes). */
  nameLike?: string;
}

/** The tenant's reservations, newest first, in cursor pages (cursor = `{created_at}.{id}` of the last row). */
export async function listReservations(
  db: Db,
  tenantId: string,
  filter: ReservationFilter,
  page: { limit: number; cursor?: { createdAt: number; id: string } },
): Promise<Reservation[]> {
  let q = db.selectFrom('counter_reservations').selectAll().where('tenant_id', '=', tenantId);
  if (filter.sellerTaxIds) {
    q = filter.sellerTaxIds.length > 0 ? q.where('seller_tax_id', 'in', filter.sellerTaxIds) : q.where(sql.lit(false));
  }
  if (filter.qrId) q = q.where('qr_id', '=', filter.qrId);
  if (filter.status) q = q.where('status', '=', filter.status);
  if (filter.seqNo !== undefined) q = q.where('seq_no', '=', filter.seqNo);
  if (filter.mobile) q = q.where('mobile', '=', filter.mobile);
  if (filter.email) q = q.where('email', '=', filter.email);
  if (filter.nameLike) q = q.where(sql<boolean>`buyer_name like ${`%${filter.nameLike}%`} escape '\\'`);
  if (page.cursor) {
    const { createdAt, id } = page.cursor;
    q = q.where((eb) =>
      eb.or([eb('created_at', '<', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '<', id)])]),
    );
  }
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit).execute();
}

/**
 * The version of the tenant's reservations for the live list: the latest change (epoch ms) × 1000 plus how many
 * reservations changed in that millisecond (at most 999), 0 without any — two changes in one millisecond still make
 * a new version.
 */
export async function latestReservationChange(db: Db, tenantId: string): Promise<number> {
  const row = await db
    .selectFrom('counter_reservations')
    .select((eb) => eb.fn.max('updated_at').as('latest'))
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
  const latest = Number(row?.latest ?? 0);
  if (latest === 0) return 0;
  const same = await db
    .selectFrom('counter_reservations')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('updated_at', '=', latest)
    .executeTakeFirst();
  return latest * 1000 + Math.min(999, Number(same?.n ?? 0));
}
