import { type Kysely, sql } from 'kysely';

/**
 * Console (issue #13): users get the seller orgs a clerk may work for (`org_tax_ids`, JSON array, null = all) — the
 * roles admin/finance/clerk/auditor/employee are text, so the new roles need no DDL; server-side console sessions
 * (only the SHA-256 of the cookie's token is stored); login failure counters (per username and per client address,
 * counted and locked in one statement); and the append-only audit log, hash-chained per tenant by a sealer job
 * (`seq`, `prev_hash`, `hash` stay null until sealed). Both dialects. Frozen once released.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('org_tax_ids', 'text').execute();

  await db.schema
    .createTable('console_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .addColumn('absolute_expires_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .addColumn('user_agent', 'text', (c) => c.notNull())
    .addColumn('client_address', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('console_sessions_user_idx').on('console_sessions').columns(['user_id']).execute();

  await db.schema
    .createTable('login_attempts')
    .addColumn('attempt_key', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('max_failures', 'integer', (c) => c.notNull())
    .addColumn('window_start', 'bigint', (c) => c.notNull())
    .addColumn('locked_until', 'bigint')
    .execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('actor_kind', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addColumn('diff_json', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text')
    .addColumn('client_address', 'text')
    .addColumn('seq', 'bigint')
    .addColumn('prev_hash', 'text')
    .addColumn('hash', 'text')
    .execute();
  await db.schema
    .createIndex('audit_log_tenant_seq_uidx')
    .on('audit_log')
    .columns(['tenant_id', 'seq'])
    .unique()
    .execute();
  await db.schema.createIndex('audit_log_tenant_id_idx').on('audit_log').columns(['tenant_id', 'id']).execute();
  // The sealer's work list: entries not chained yet, per tenant in id order.
  await sql`create index audit_log_unsealed_idx on audit_log (tenant_id, id) where seq is null`.execute(db);
  await db.schema
    .createIndex('audit_log_tenant_actor_idx')
    .on('audit_log')
    .columns(['tenant_id', 'actor_id', 'id'])
    .execute();
  await db.schema
    .createIndex('audit_log_tenant_target_idx')
    .on('audit_log')
    .columns(['tenant_id', 'target_id', 'id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('audit_log').execute();
  await db.schema.dropTable('login_attempts').execute();
  await db.schema.dropTable('console_sessions').execute();
  await db.schema.alterTable('users').dropColumn('org_tax_ids').execute();
}
