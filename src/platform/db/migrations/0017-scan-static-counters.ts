import { type Kysely, sql } from 'kysely';

/**
 * Static-link limits counted in per-window counter rows instead of one row per accepted submission (issue #12: no
 * lock held across a round trip). One row per setting, subject and Asia/Shanghai day — subject '' for the setting as
 * a whole, else the client's keyed hash — with the day's count and amount and the current clock minute's count; a
 * submission is counted (or refused) by a conditional upsert, one statement. Today's and yesterday's submissions are
 * carried over as day counts (the minute counts start afresh), then `scan_static_submissions` is dropped. Both
 * dialects. Frozen once released.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('scan_static_counters')
    .addColumn('setting_id', 'text', (c) => c.notNull().references('scan_settings.id'))
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('day_start', 'bigint', (c) => c.notNull())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('day_count', 'integer', (c) => c.notNull())
    .addColumn('day_fen', 'bigint', (c) => c.notNull())
    .addColumn('minute_start', 'bigint', (c) => c.notNull())
    .addColumn('minute_count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('scan_static_counters_pk', ['setting_id', 'subject', 'day_start'])
    .execute();
  await db.schema
    .createIndex('scan_static_counters_day_idx')
    .on('scan_static_counters')
    .columns(['day_start'])
    .execute();

  // Asia/Shanghai day of created_at (UTC+8, no daylight saving time), in integer arithmetic both dialects share.
  const day = sql`((created_at + 28800000) / 86400000) * 86400000 - 28800000`;
  await sql`insert into scan_static_counters
      (setting_id, subject, day_start, tenant_id, day_count, day_fen, minute_start, minute_count)
    select setting_id, '', ${day}, min(tenant_id), count(*), sum(amount_fen), 0, 0
      from scan_static_submissions group by setting_id, ${day}`.execute(db);
  await sql`insert into scan_static_counters
      (setting_id, subject, day_start, tenant_id, day_count, day_fen, minute_start, minute_count)
    select setting_id, client_hash, ${day}, min(tenant_id), count(*), sum(amount_fen), 0, 0
      from scan_static_submissions group by setting_id, client_hash, ${day}`.execute(db);
  await db.schema.dropTable('scan_static_submissions').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('scan_static_submissions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('setting_id', 'text', (c) => c.notNull().references('scan_settings.id'))
    .addColumn('client_hash', 'text', (c) => c.notNull())
    .addColumn('amount_fen', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('scan_static_submissions_setting_idx')
    .on('scan_static_submissions')
    .columns(['setting_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('scan_static_submissions_client_idx')
    .on('scan_static_submissions')
    .columns(['setting_id', 'client_hash', 'created_at'])
    .execute();
  await db.schema
    .createIndex('scan_static_submissions_created_idx')
    .on('scan_static_submissions')
    .columns(['created_at'])
    .execute();
  await db.schema.dropTable('scan_static_counters').execute();
}
