import { type Kysely, PostgresAdapter } from 'kysely';

/**
 * E-mail intake (#14): collection addresses (one per org and user, looked up by local part), every mail that came in
 * with its outcome (one import per Message-ID and tenant), and the raw mail until its import job ran. Frozen once
 * released.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const isPostgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('received_mail_addresses')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('owner_type', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('local_part', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('rotated_at', 'bigint')
    .addUniqueConstraint('received_mail_addresses_local_uq', ['local_part'])
    .addUniqueConstraint('received_mail_addresses_owner_uq', ['tenant_id', 'owner_type', 'owner_id'])
    .execute();

  await db.schema
    .createTable('received_mails')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('mailbox_id', 'text')
    .addColumn('address_id', 'text')
    .addColumn('buyer_org_id', 'text')
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('dedupe_key', 'text')
    .addColumn('from_address', 'text')
    .addColumn('subject', 'text')
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('detail', 'text')
    .addColumn('processed_at', 'bigint')
    .addUniqueConstraint('received_mails_dedupe_uq', ['tenant_id', 'dedupe_key'])
    .execute();
  await db.schema
    .createIndex('received_mails_tenant_idx')
    .on('received_mails')
    .columns(['tenant_id', 'received_at', 'id'])
    .execute();
  await db.schema
    .createIndex('received_mails_mailbox_idx')
    .on('received_mails')
    .columns(['mailbox_id', 'received_at'])
    .execute();

  await db.schema
    .createTable('received_mail_raw')
    .addColumn('mail_id', 'text', (c) => c.primaryKey())
    .addColumn('raw', isPostgres ? 'bytea' : 'blob', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('received_mail_raw').execute();
  await db.schema.dropTable('received_mails').execute();
  await db.schema.dropTable('received_mail_addresses').execute();
}
