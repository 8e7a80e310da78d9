import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Config } from '../../src/platform/config/load-config.js';
import { createDb, type Db } from '../../src/platform/db/create-db.js';
import { migrateToLatest } from '../../src/platform/db/migrate.js';

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
  /** Creates a fresh, empty database (a temp SQLite file, or a new PostgreSQL database). */
  createConfigDb(): Promise<TestDbConfig>;
}

/** PostgreSQL server for tests, e.g. `postgres://postgres@127.0.0.1:5432/postgres`; unset skips PostgreSQL. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL?.trim() || undefined;

async function createSqliteConfigDb(): Promise<TestDbConfig> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openfapiao-test-'));
  return {
    dbConfig: { driver: 'sqlite', sqlitePath: path.join(dir, 'test.sqlite') },
    cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

async function withAdminClient<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function createPostgresConfigDb(): Promise<TestDbConfig> {
  if (!TEST_DATABASE_URL) throw new Error('TEST_DATABASE_URL is not set');
  const name = `openfapiao_t_${randomBytes(6).toString('hex')}`;
  await withAdminClient((c) => c.query(`create database ${name}`));
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    dbConfig: { driver: 'postgres', url: url.toString(), poolSize: 10 },
    cleanup: async () => {
      await withAdminClient((c) => c.query(`drop database if exists ${name} with (force)`));
    },
  };
}

/** Every engine, PostgreSQL marked `skip` when TEST_DATABASE_URL is unset. Loop over it with `describe.skipIf`. */
export const TEST_DIALECTS: readonly TestDialect[] = [
  { name: 'sqlite', skip: false, createConfigDb: createSqliteConfigDb },
  { name: 'postgres', skip: TEST_DATABASE_URL === undefined, createConfigDb: createPostgresConfigDb },
];

/** A migrated, empty test database; `cleanup` closes it and removes it. */
export async function createTestDb(
  dialect: TestDialect,
): Promise<{ db: Db; dbConfig: Config['db']; cleanup(): Promise<void> }> {
  const created = await dialect.createConfigDb();
  const db = createDb(created.dbConfig);
  await migrateToLatest(db.kysely);
  return {
    db,
    dbConfig: created.dbConfig,
    cleanup: async () => {
      await db.destroy();
      await created.cleanup();
    },
  };
}
