import { type Kysely, type MigrationResultSet, Migrator, sql } from 'kysely';
import { AppError } from '../errors/app-error.js';
import { SCHEMA_TOO_NEW } from '../errors/platform.errors.js';
import type { Database } from './database.js';
import { MIGRATIONS } from './migrations/index.js';

export const MIGRATION_TABLE = 'schema_migrations';
export const MIGRATION_LOCK_TABLE = 'schema_migrations_lock';

function createMigrator(db: Kysely<Database>): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: async () => MIGRATIONS },
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
  });
}

/** Names of migrations recorded in the database (empty on a fresh database). */
export async function listAppliedMigrations(db: Kysely<Database>): Promise<string[]> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
  if (!tables.some((t) => t.name === MIGRATION_TABLE)) return [];
  const rows = await sql<{ name: string }>`select name from ${sql.table(MIGRATION_TABLE)} order by name`.execute(db);
  return rows.rows.map((r) => r.name);
}

/** Refuses to run against a schema that has migrations this code does not know. */
export async function assertSchemaNotNewer(db: Kysely<Database>): Promise<void> {
  const unknown = (await listAppliedMigrations(db)).filter((name) => !(name in MIGRATIONS));
  if (unknown.length > 0) {
    throw new AppError(
      SCHEMA_TOO_NEW,
      `数据库结构版本高于程序版本：数据库已执行本程序不认识的迁移 ${unknown.join(', ')}。请升级程序后再启动。` +
        ` (The database has migrations this code does not know: ${unknown.join(', ')}. Upgrade the code.)`,
      { unknownMigrations: unknown },
    );
  }
}

/**
 * Brings the schema up to date. Kysely's Migrator takes a lock (a lock table row on SQLite, an advisory lock on
 * PostgreSQL), so several processes starting at once migrate once.
 */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  await assertSchemaNotNewer(db);
  const result: MigrationResultSet = await createMigrator(db).migrateToLatest();
  if (result.error) {
    throw result.error instanceof Error ? result.error : new Error(String(result.error));
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** True when every known migration has run (used by /readyz). */
export async function isSchemaCurrent(db: Kysely<Database>): Promise<boolean> {
  const applied = new Set(await listAppliedMigrations(db));
  return Object.keys(MIGRATIONS).every((name) => applied.has(name));
}
