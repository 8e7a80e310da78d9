import type { Kysely } from 'kysely';

/**
 * IMAP mailboxes polled for invoice mail (#14): connection (password encrypted at rest), folder, interval, what to
 * do after import, and the poll state (UIDVALIDITY + last UID, the scheduled poll's sequence, a poll lease, the
 * last result). Frozen once released.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('received_mailboxes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('buyer_org_id', 'text')
    .addColumn('name', 'text')
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('port', 'integer', (c) => c.notNull())
    .addColumn('secure', 'integer', (c) => c.notNull())
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('password_enc', 'text', (c) => c.notNull())
    .addColumn('folder', 'text', (c) => c.notNull())
    .addColumn('poll_interval_seconds', 'integer', (c) => c.notNull())
    .addColumn('after_import', 'text', (c) => c.notNull())
    .addColumn('move_to', 'text')
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('uid_validity', 'text')
    .addColumn('last_uid', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('poll_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('polling_until', 'bigint')
    .addColumn('last_poll_at', 'bigint')
    .addColumn('last_poll_ok', 'integer')
    .addColumn('last_poll_error', 'text')
    .addColumn('last_poll_count', 'integer')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('received_mailboxes_tenant_idx')
    .on('received_mailboxes')
    .columns(['tenant_id', 'created_at'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('received_mailboxes').execute();
}
