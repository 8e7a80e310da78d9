import type { TestProject } from 'vitest/node';
import { buildServer } from '../../bin/load-source.js';
import {
  createAndMigrate,
  createPostgresConfigDb,
  createSqliteConfigDb,
  TEST_DATABASE_URL,
  type TestDbConfig,
  withAdminClient,
} from './test-db.js';

/**
 * Migrates one template database per engine once per `vitest run`; test files copy it (test-db.ts
 * `createMigratedConfigDb`) instead of running every migration again. SQLite: a migrated file that each test copies.
 * PostgreSQL (with TEST_DATABASE_URL): a migrated database that refuses connections, from which each test database is
 * made with `CREATE DATABASE … TEMPLATE` (PostgreSQL copies a template only while nobody is connected to it).
 * The templates are made and removed with test-db.ts's own functions; if making one fails, what was made is removed.
 * First it compiles src/ (bin/load-source.js) unless the build of the current sources exists, so that the processes
 * tests start (the CLI, servers, parse and render workers) run the code under test compiled, not through tsx.
 */
declare module 'vitest' {
  export interface ProvidedContext {
    /** The migrated SQLite file to copy; unset outside this setup (test-db.ts then migrates itself). */
    sqliteTemplatePath: string;
    /** Name of the migrated PostgreSQL template database; empty when PostgreSQL is not tested. */
    postgresTemplateName: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const made: TestDbConfig[] = [];
  const teardown = async () => {
    // Each one removed even if another's removal fails; the first failure is reported.
    const results = await Promise.allSettled(made.splice(0).map((t) => t.cleanup()));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  };
  await buildServer();
  try {
    const sqlite = await createAndMigrate(createSqliteConfigDb);
    made.push(sqlite);
    if (sqlite.dbConfig.driver !== 'sqlite') throw new Error('expected SQLite');
    project.provide('sqliteTemplatePath', sqlite.dbConfig.sqlitePath);

    let templateName = '';
    if (TEST_DATABASE_URL) {
      // openfapiao_t_* like the test databases, so `.ci/run` drops it too when a run is killed.
      const postgres = await createAndMigrate(() => createPostgresConfigDb({ prefix: 'openfapiao_t_tpl_' }));
      made.push(postgres);
      if (postgres.dbConfig.driver !== 'postgres') throw new Error('expected PostgreSQL');
      templateName = new URL(postgres.dbConfig.url).pathname.slice(1);
      // No test may connect to it by mistake: a connection would make every copy fail.
      await withAdminClient((c) => c.query(`alter database ${templateName} allow_connections false`));
    }
    project.provide('postgresTemplateName', templateName);
  } catch (err) {
    await teardown().catch(() => {});
    throw err;
  }
  return teardown;
}
