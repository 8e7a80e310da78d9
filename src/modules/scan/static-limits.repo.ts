import { type Kysely, sql, type Transaction } from 'kysely';
import type { DbDialect } from '../../platform/db/create-db.js';
import type { Database } from '../../platform/db/database.js';
import type { ScanLinkExceptionTable } from './scan.tables.js';

type Db = Kysely<Database> | Transaction<Database>;

/** One submission to count: the setting, the client (keyed hash), the amount, and the windows it falls in. */
export interface CountedSubmission {
  settingId: string;
  tenantId: string;
  clientHash: string;
  amountFen: number;
  dayStart: number;
  minuteStart: number;
}

/** The counts a submission may reach: per day, per clock minute, and (the setting only) the day's amount. */
export interface CounterCaps {
  client: { day: number; minute: number };
  setting: { day: number; minute: number; amountFen: number };
}

/** What counting did: whether each counter took the submission, and the setting's day count after it. */
export interface CountOutcome {
  client: boolean;
  setting: boolean;
  /** The setting's day count after this submission when it was counted (1: the day's first). */
  settingDayCount: number | null;
}

const COLUMNS = sql`(setting_id, subject, day_start, tenant_id, day_count, day_fen, minute_start, minute_count)`;

/**
 * The conditional part of a counter upsert: an existing row takes the submission only while it stays within `caps`
 * (the day's count, the clock minute's count — a new minute starts at 1 —, and for the setting the day's amount);
 * otherwise the row is left as it is and the statement returns no row for it. A new row always starts at 1 (the
 * caller refuses an amount over the daily amount before counting).
 */
function upsertCaps(caps: { day: number; minute: number; amountFen?: number }) {
  const t = sql.table('scan_static_counters');
  return sql`on conflict (setting_id, subject, day_start) do update set
      day_count = ${t}.day_count + 1,
      day_fen = ${t}.day_fen + excluded.day_fen,
      minute_count = case when ${t}.minute_start = excluded.minute_start then ${t}.minute_count + 1 else 1 end,
      minute_start = excluded.minute_start
    where ${t}.day_count < ${caps.day}
      and (${t}.minute_start <> excluded.minute_start or ${t}.minute_count < ${caps.minute})
      ${caps.amountFen === undefined ? sql`` : sql`and ${t}.day_fen + excluded.day_fen <= ${caps.amountFen}`}`;
}

/**
 * Counts one static-link submission against the client's and the setting's counters, all or nothing: the client's
 * counter first, the setting's only when the client's took it. On PostgreSQL ONE statement (the setting's upsert
 * reads the client's as a CTE), so the counter rows are locked only while it runs — no lock is held across a round
 * trip, and submissions of one setting never queue behind another's transaction. When the client's counter took the
 * submission but the setting's refused it, the client's is given back ({@link releaseStaticCount}): a refused
 * submission counts for nothing.
 */
export async function countStaticSubmission(
  db: Db,
  dialect: DbDialect,
  s: CountedSubmission,
  caps: CounterCaps,
): Promise<CountOutcome> {
  const values = (subject: string) =>
    sql`${s.settingId}, ${subject}, ${s.dayStart}, ${s.tenantId}, 1, ${s.amountFen}, ${s.minuteStart}, 1`;
  const clientUpsert = sql`insert into scan_static_counters ${COLUMNS} values (${values(s.clientHash)})
    ${upsertCaps(caps.client)} returning day_count`;
  let outcome: CountOutcome;
  if (dialect === 'postgres') {
    const { rows } = await sql<{ client: number | string; setting_day: number | string | null }>`
      with c as (${clientUpsert}),
      s as (insert into scan_static_counters ${COLUMNS} select ${values('')} from c
        ${upsertCaps(caps.setting)} returning day_count)
      select (select count(*) from c) as client, (select max(day_count) from s) as setting_day`.execute(db);
    const row = rows[0]!;
    const settingDay = row.setting_day === null ? null : Number(row.setting_day);
    outcome = { client: Number(row.client) === 1, setting: settingDay !== null, settingDayCount: settingDay };
  } else {
    const client = (await sql<{ day_count: number }>`${clientUpsert}`.execute(db)).rows.length === 1;
    const setting = client
      ? (
          await sql<{ day_count: number }>`insert into scan_static_counters ${COLUMNS} values (${values('')})
            ${upsertCaps(caps.setting)} returning day_count`.execute(db)
        ).rows[0]
      : undefined;
    outcome = { client, setting: setting !== undefined, settingDayCount: setting ? Number(setting.day_count) : null };
  }
  if (outcome.client && !outcome.setting) await releaseStaticCount(db, s, ['client']);
  return outcome;
}

/**
 * Gives a counted submission back (its order was not written after all, or the setting refused it): one update of
 * the given counters. A minute count is given back only while it is still that minute's.
 */
export async function releaseStaticCount(
  db: Db,
  s: CountedSubmission,
  which: readonly ('client' | 'setting')[],
): Promise<void> {
  const subjects = which.map((w) => (w === 'client' ? s.clientHash : ''));
  await db
    .updateTable('scan_static_counters')
    .set((eb) => ({
      day_count: eb('day_count', '-', 1),
      day_fen: eb('day_fen', '-', s.amountFen),
      minute_count: sql<number>`case when minute_start = ${s.minuteStart} then minute_count - 1 else minute_count end`,
    }))
    .where('setting_id', '=', s.settingId)
    .where('day_start', '=', s.dayStart)
    .where('subject', 'in', subjects)
    .execute();
}

/** The client's and the setting's counters of the submission's day (to say which limit refused it). */
export async function readStaticCounters(db: Db, s: CountedSubmission) {
  return db
    .selectFrom('scan_static_counters')
    .select(['subject', 'day_count', 'day_fen', 'minute_start', 'minute_count'])
    .where('setting_id', '=', s.settingId)
    .where('day_start', '=', s.dayStart)
    .where('subject', 'in', [s.clientHash, ''])
    .execute();
}

/** Rows one prune deletes at most per statement. */
const PRUNE_BATCH = 1000;

/** Forgets up to {@link PRUNE_BATCH} counter rows of days before `beforeDay`; answers how many went. */
export async function pruneStaticCounters(db: Db, dialect: DbDialect, beforeDay: number): Promise<number> {
  const old = db
    .selectFrom('scan_static_counters')
    .select(sql<string>`${sql.ref(dialect === 'postgres' ? 'ctid' : 'rowid')}`.as('row_ref'))
    .where('day_start', '<', beforeDay)
    .limit(PRUNE_BATCH);
  const result = await db
    .deleteFrom('scan_static_counters')
    .where(sql.ref(dialect === 'postgres' ? 'ctid' : 'rowid'), 'in', old)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Forgets up to {@link PRUNE_BATCH} limit exceptions last seen before `before` (the monitor shows seven days). */
export async function pruneLimitExceptions(db: Db, dialect: DbDialect, before: number): Promise<number> {
  let old = db.selectFrom('scan_link_exceptions').select('id').where('last_at', '<', before).limit(PRUNE_BATCH);
  if (dialect === 'postgres') old = old.forUpdate().skipLocked();
  const result = await db.deleteFrom('scan_link_exceptions').where('id', 'in', old).executeTakeFirst();
  return Number(result.numDeletedRows);
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
