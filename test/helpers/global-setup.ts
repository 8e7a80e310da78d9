import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { createDb } from '../../src/platform/db/create-db.js';
import { migrateToLatest } from '../../src/platform/db/migrate.js';

/**
 * Migrates one template database per engine once per `vitest run`; test files copy it (test-db.ts
 * `createMigratedConfigDb`) instead of running every migration again. SQLite: a migrated file that each test copies.
 * PostgreSQL (with TEST_DATABASE_URL): a migrated database that refuses connections, from which each test database is
 * made with `CREATE DATABASE … TEMPLATE` (PostgreSQL copies a template only while nobody is connected to it).
 */
declare module 'vitest' {
  export interface ProvidedContext {
    /** The migrated SQLite file to copy; unset outside this setup (test-db.ts then migrates itself). */
    sqliteTemplatePath: string;
    /** Name of the migrated PostgreSQL template database; empty when PostgreSQL is not tested. */
    postgresTemplateName: string;
  }
}

async function withAdminClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openfapiao-template-'));
  const sqlitePath = path.join(dir, 'template.sqlite');
  const sqlite = createDb({ driver: 'sqlite', sqlitePath });
  try {
    await migrateToLatest(sqlite.kysely);
  } finally {
    // Closing checkpoints the WAL into the file, so the file alone is the whole database.
    await sqlite.destroy();
  }
  project.provide('sqliteTemplatePath', sqlitePath);

  const adminUrl = process.env.TEST_DATABASE_URL?.trim() || undefined;
  // openfapiao_t_* like the test databases, so `.ci/run` drops it too when a run is killed.
  const templateName = adminUrl ? `openfapiao_t_tpl_${randomBytes(6).toString('hex')}` : '';
  if (adminUrl) {
    await withAdminClient(adminUrl, (c) => c.query(`create database ${templateName}`));
    const url = new URL(adminUrl);
    url.pathname = `/${templateName}`;
    const db = createDb({ driver: 'postgres', url: url.toString(), poolSize: 1 });
    try {
      await migrateToLatest(db.kysely);
    } finally {
      await db.destroy();
    }
    // No test may connect to it by mistake: a connection would make every copy fail.
    await withAdminClient(adminUrl, (c) => c.query(`alter database ${templateName} allow_connections false`));
  }
  project.provide('postgresTemplateName', templateName);

  return async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    if (adminUrl) {
      await withAdminClient(adminUrl, (c) => c.query(`drop database if exists ${templateName} with (force)`));
    }
  };
}
