import { type Kysely, sql, type Transaction } from 'kysely';
import type { DbDialect } from '../../platform/db/create-db.js';
import type { Database } from '../../platform/db/database.js';
import type { ScanLinkExceptionTable, ScanStaticSubmissionTable } from './scan.tables.js';
import type { StaticUsage } from './static-limits.js';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Serializes static-link submissions of one setting: on PostgreSQL locks the setting row until the transaction ends
 * (SQLite runs one write transaction at a time already), so counting the limits and inserting the submission that
 * counts against them are atomic across processes.
 */
export async function lockSettingForSubmission(trx: Transaction<Database>, dialect: DbDialect, settingId: string) {
  if (dialect === 'postgres') {
    await trx.selectFrom('scan_settings').select('id').where('id', '=', settingId).forUpdate().execute();
  }
}

/** The setting's and the client's accepted submissions in the last minute and since `dayStart`. */
export async function staticUsage(
  db: Db,
  settingId: string,
  clientHash: string,
  minuteSince: number,
  dayStart: number,
): Promise<StaticUsage> {
  const row = await db
    .selectFrom('scan_static_submissions')
    .where('setting_id', '=', settingId)
    .where('created_at', '>=', Math.min(minuteSince, dayStart))
    .select([
      sql<number>`count(case when created_at > ${minuteSince} then 1 end)`.as('setting_minute'),
      sql<number | null>`min(case when created_at > ${minuteSince} then created_at end)`.as('setting_minute_oldest'),
      sql<number>`count(case when created_at >= ${dayStart} then 1 end)`.as('setting_day'),
      sql<number | null>`sum(case when created_at >= ${dayStart} then amount_fen else 0 end)`.as('setting_day_fen'),
      sql<number>`count(case when client_hash = ${clientHash} and created_at > ${minuteSince} then 1 end)`.as(
        'client_minute',
      ),
      sql<
        number | null
      >`min(case when client_hash = ${clientHash} and created_at > ${minuteSince} then created_at end)`.as(
        'client_minute_oldest',
      ),
      sql<number>`count(case when client_hash = ${clientHash} and created_at >= ${dayStart} then 1 end)`.as(
        'client_day',
      ),
    ])
    .executeTakeFirstOrThrow();
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    settingMinute: Number(row.setting_minute),
    settingMinuteOldest: num(row.setting_minute_oldest),
    settingDay: Number(row.setting_day),
    settingDayAmountFen: num(row.setting_day_fen) ?? 0,
    clientMinute: Number(row.client_minute),
    clientMinuteOldest: num(row.client_minute_oldest),
    clientDay: Number(row.client_day),
  };
}

export async function insertStaticSubmission(db: Db, row: ScanStaticSubmissionTable): Promise<void> {
  await db.insertInto('scan_static_submissions').values(row).execute();
}

/** Rows one prune deletes at most: each submission adds one row, so pruning keeps up while staying short. */
const PRUNE_BATCH = 100;

/**
 * Forgets up to {@link PRUNE_BATCH} submissions older than `before` (no limit looks further back than the current
 * day), of any setting. On PostgreSQL rows another transaction is already deleting are skipped, so submits to
 * different settings never wait on each other here.
 */
export async function pruneStaticSubmissions(trx: Transaction<Database>, dialect: DbDialect, before: number) {
  let old = trx.selectFrom('scan_static_submissions').select('id').where('created_at', '<', before).limit(PRUNE_BATCH);
  if (dialect === 'postgres') old = old.forUpdate().skipLocked();
  await trx.deleteFrom('scan_static_submissions').where('id', 'in', old).execute();
}

/** Forgets up to {@link PRUNE_BATCH} limit exceptions last seen before `before` (the monitor shows seven days). */
export async function pruneLimitExceptions(trx: Transaction<Database>, dialect: DbDialect, before: number) {
  let old = trx.selectFrom('scan_link_exceptions').select('id').where('last_at', '<', before).limit(PRUNE_BATCH);
  if (dialect === 'postgres') old = old.forUpdate().skipLocked();
  await trx.deleteFrom('scan_link_exceptions').where('id', 'in', old).execute();
}

/**
 * Records a refused submission against its limit's window: the first one raises the exception (a new row, and true),
 * later ones in the same window only count (`rejected`) and move `last_at`. One upsert: a row that comes back with
 * the count it was inserted with is new.
 */
export async function recordLimitException(db: Db, row: ScanLinkExceptionTable): Promise<boolean> {
  const saved = await db
    .insertInto('scan_link_exceptions')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['setting_id', 'limit_name', 'window_start']).doUpdateSet((eb) => ({
        rejected: eb(eb.ref('scan_link_exceptions.rejected'), '+', 1),
        last_at: eb.ref('excluded.last_at'),
      })),
    )
    .returning('rejected')
    .executeTakeFirstOrThrow();
  return Number(saved.rejected) === Number(row.rejected);
}

/** The tenant's limit exceptions seen since `since`, newest first, with their setting's key and seller. */
export async function listLimitExceptions(db: Db, tenantId: string, since: number, limit: number) {
  return db
    .selectFrom('scan_link_exceptions as e')
    .innerJoin('scan_settings as s', 's.id', 'e.setting_id')
    .select([
      'e.id',
      'e.limit_name',
      'e.window_start',
      'e.limit_value',
      'e.rejected',
      'e.first_at',
      'e.last_at',
      's.key',
      's.name',
      's.seller_tax_id',
    ])
    .where('e.tenant_id', '=', tenantId)
    .where('e.last_at', '>=', since)
    .orderBy('e.last_at', 'desc')
    .orderBy('e.id', 'desc')
    .limit(limit)
    .execute();
}
