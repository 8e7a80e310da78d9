/**
 * The test harness's databases: the templates global-setup.ts makes are removed when the run ends, and when the setup
 * fails half-way (nothing is left behind for `.ci/run` to sweep up); createTestDb brings a stale copy up to date.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isSchemaCurrent } from '../../src/platform/db/migrate.js';
import setup from '../helpers/global-setup.js';
import { createTestDb, TEST_DATABASE_URL, TEST_DIALECTS, withAdminClient } from '../helpers/test-db.js';

type Key = 'sqliteTemplatePath' | 'postgresTemplateName';

/** A stand-in for Vitest's project: records what setup provides, and fails on `failOn`. */
function project(failOn?: Key) {
  const given: Partial<Record<Key, string>> = {};
  return {
    given,
    provide(key: Key, value: string) {
      given[key] = value;
      if (key === failOn) throw new Error(`refused ${key}`);
    },
  };
}

const databaseExists = async (name: string) =>
  withAdminClient(async (c) => (await c.query('select 1 from pg_database where datname = $1', [name])).rowCount === 1);

describe('global setup', () => {
  it('removes its templates at the end of the run', async () => {
    const p = project();
    const teardown = await setup(p as never);
    const sqlite = p.given.sqliteTemplatePath as string;
    expect(fs.existsSync(sqlite)).toBe(true);
    if (TEST_DATABASE_URL) expect(await databaseExists(p.given.postgresTemplateName as string)).toBe(true);
    else expect(p.given.postgresTemplateName).toBe('');
    await teardown();
    expect(fs.existsSync(sqlite)).toBe(false);
    if (TEST_DATABASE_URL) expect(await databaseExists(p.given.postgresTemplateName as string)).toBe(false);
  });

  it('removes the SQLite template when the setup fails after making it', async () => {
    const p = project('sqliteTemplatePath');
    await expect(setup(p as never)).rejects.toThrow('refused sqliteTemplatePath');
    expect(p.given.sqliteTemplatePath).toMatch(/\.sqlite$/);
    expect(fs.existsSync(p.given.sqliteTemplatePath as string)).toBe(false);
  });

  it.skipIf(!TEST_DATABASE_URL)('removes both templates when the setup fails after making them', async () => {
    const p = project('postgresTemplateName');
    await expect(setup(p as never)).rejects.toThrow('refused postgresTemplateName');
    expect(p.given.postgresTemplateName).toMatch(/^openfapiao_t_tpl_[0-9a-f]{12}$/);
    expect(await databaseExists(p.given.postgresTemplateName as string)).toBe(false);
    expect(fs.existsSync(p.given.sqliteTemplatePath as string)).toBe(false);
  });
});

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: createTestDb`, () => {
    it('migrates a copy of a template that lacks migrations (one made before they were written)', async () => {
      // A template with no migration at all stands for one made before the newest migration (watch mode).
      const stale = { ...dialect, createMigratedConfigDb: dialect.createConfigDb };
      const created = await createTestDb(stale);
      try {
        expect(await isSchemaCurrent(created.db.kysely)).toBe(true);
      } finally {
        await created.cleanup();
      }
    });
  });
}
