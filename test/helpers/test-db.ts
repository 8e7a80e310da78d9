import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import type { Config } from '../../src/platform/config/load-config.js';
import { createDb, type Db } from '../../src/platform/db/create-db.js';
import { isSchemaCurrent, migrateToLatest } from '../../src/platform/db/migrate.js';

/** A throw-away database: its config for `createDb`, and how to remove it. */
export interface TestDbConfig {
  dbConfig: Config['db'];
  cleanup(): Promise<void>;
}

/** One database engine the integration suites run against. */
export interface TestDialect {
  name: 'sqlite' | 'postgres';
  /** True when the engine is not available here (PostgreSQL without TEST_DATABASE_URL): use `describe.skipIf`. */
  skip: boolean;
  /**
   * Creates a fresh, empty database (a temp SQLite file, or a new PostgreSQL database). For tests of the migrations
   * and of what starts on an empty database; the rest use `createMigratedConfigDb`.
   */
  createConfigDb(): Promise<TestDbConfig>;
  /**
   * Creates a fresh database with every migration applied: a copy of the template that test/helpers/global-setup.ts
   * migrated once for the whole run (or, without that setup, a new database migrated here).
   */
  createMigratedConfigDb(): Promise<TestDbConfig>;
}

/** PostgreSQL server for tests, e.g. `postgres://postgres@127.0.0.1:5432/postgres`; unset skips PostgreSQL. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL?.trim() || undefined;

/** What global-setup.ts provided (undefined when the file runs without it, e.g. another Vitest config). */
function provided<K extends 'sqliteTemplatePath' | 'postgresTemplateName'>(key: K): string | undefined {
  try {
    return inject(key) || undefined;
  } catch {
    return undefined;
  }
}

/** A new, empty SQLite file in its own temp directory (`cleanup` removes the directory). */
export async function createSqliteConfigDb(): Promise<TestDbConfig> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openfapiao-test-'));
  return {
    dbConfig: { driver: 'sqlite', sqlitePath: path.join(dir, 'test.sqlite') },
    cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Applies every migration `db` lacks; a copy of the template lacks none, so this costs one query (a template made
 * before a migration was added, as in watch mode, gets it here).
 */
async function migrateIfNeeded(db: Db): Promise<void> {
  if (!(await isSchemaCurrent(db.kysely))) await migrateToLatest(db.kysely);
}

/**
 * Migrates a fresh database of `create`: the fallback when no template was provided, and how global-setup.ts makes
 * the templates. When the migration fails the database is removed before the error is thrown.
 */
export async function createAndMigrate(create: () => Promise<TestDbConfig>): Promise<TestDbConfig> {
  const created = await create();
  try {
    const db = createDb(created.dbConfig);
    try {
      await migrateToLatest(db.kysely);
    } finally {
      // SQLite: closing checkpoints the WAL into the file, so the file alone is the whole database.
      await db.destroy();
    }
  } catch (err) {
    await created.cleanup();
    throw err;
  }
  return created;
}

async function createMigratedSqliteConfigDb(): Promise<TestDbConfig> {
  const template = provided('sqliteTemplatePath');
  if (!template) return createAndMigrate(createSqliteConfigDb);
  const created = await createSqliteConfigDb();
  if (created.dbConfig.driver !== 'sqlite') throw new Error('expected SQLite');
  // The copy keeps the template's mode (0600) and its WAL journal mode; the template was closed, so has no -wal file.
  fs.copyFileSync(template, created.dbConfig.sqlitePath);
  return created;
}

/** Runs `fn` on a connection to TEST_DATABASE_URL's server (its maintenance database), then closes it. */
export async function withAdminClient<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * A new PostgreSQL database `<prefix><random>`, empty or a copy of `template` (`cleanup` drops it). Every name starts
 * with `openfapiao_t_`, which `.ci/run` drops when a killed run left one behind.
 */
export async function createPostgresConfigDb(
  options: { template?: string; prefix?: `openfapiao_t_${string}` } = {},
): Promise<TestDbConfig> {
  if (!TEST_DATABASE_URL) throw new Error('TEST_DATABASE_URL is not set');
  const name = `${options.prefix ?? 'openfapiao_t_'}${randomBytes(6).toString('hex')}`;
  await withAdminClient((c) =>
    c.query(`create database ${name}${options.template ? ` template ${options.template}` : ''}`),
  );
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    dbConfig: { driver: 'postgres', url: url.toString(), poolSize: 10 },
    cleanup: async () => {
      await withAdminClient((c) => c.query(`drop database if exists ${name} with (force)`));
    },
  };
}

async function createMigratedPostgresConfigDb(): Promise<TestDbConfig> {
  const template = provided('postgresTemplateName');
  // The template refuses connections, so a copy cannot fail on someone connected to it; the copy accepts them.
  return template ? createPostgresConfigDb({ template }) : createAndMigrate(() => createPostgresConfigDb());
}

/** Every engine, PostgreSQL marked `skip` when TEST_DATABASE_URL is unset. Loop over it with `describe.skipIf`. */
export const TEST_DIALECTS: readonly TestDialect[] = [
  {
    name: 'sqlite',
    skip: false,
    createConfigDb: createSqliteConfigDb,
    createMigratedConfigDb: createMigratedSqliteConfigDb,
  },
  {
    name: 'postgres',
    skip: TEST_DATABASE_URL === undefined,
    createConfigDb: () => createPostgresConfigDb(),
    createMigratedConfigDb: createMigratedPostgresConfigDb,
  },
];

/**
 * A migrated, empty test database (a copy of the run's template, brought up to date if the template lacks a
 * migration); `cleanup` closes it and removes it.
 */
export async function createTestDb(
  dialect: TestDialect,
): Promise<{ db: Db; dbConfig: Config['db']; cleanup(): Promise<void> }> {
  const created = await dialect.createMigratedConfigDb();
  const db = createDb(created.dbConfig);
  const cleanup = async () => {
    await db.destroy();
    await created.cleanup();
  };
  try {
    await migrateIfNeeded(db);
  } catch (err) {
    await cleanup();
    throw err;
  }
  return { db, dbConfig: created.dbConfig, cleanup };
}
