import { sql } from 'kysely';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime } from '../../src/app.js';
import { loadConfig } from '../../src/platform/config/load-config.js';
import { createDb } from '../../src/platform/db/create-db.js';
import {
  isSchemaCurrent,
  listAppliedMigrations,
  MIGRATION_TABLE,
  migrateToLatest,
} from '../../src/platform/db/migrate.js';
import { MIGRATIONS } from '../../src/platform/db/migrations/index.js';
import { TEST_DIALECTS, type TestDbConfig } from '../helpers/test-db.js';

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: migrations`, () => {
    let created: TestDbConfig | null = null;
    afterEach(async () => {
      await created?.cleanup();
      created = null;
    });

    it('migrates a fresh database once; a second run applies nothing', async () => {
      created = await dialect.createConfigDb();
      const db = createDb(created.dbConfig);
      try {
        expect(await isSchemaCurrent(db.kysely)).toBe(false);
        expect(await migrateToLatest(db.kysely)).toEqual(Object.keys(MIGRATIONS));
        expect(await migrateToLatest(db.kysely)).toEqual([]);
        expect(await listAppliedMigrations(db.kysely)).toEqual(Object.keys(MIGRATIONS));
        expect(await isSchemaCurrent(db.kysely)).toBe(true);
      } finally {
        await db.destroy();
      }
    });

    it('lets several processes start at once: the lock makes one of them migrate', async () => {
      created = await dialect.createConfigDb();
      const dbs = [createDb(created.dbConfig), createDb(created.dbConfig), createDb(created.dbConfig)];
      try {
        const results = await Promise.all(dbs.map((db) => migrateToLatest(db.kysely)));
        expect(results.flat().sort()).toEqual(Object.keys(MIGRATIONS).sort());
      } finally {
        await Promise.all(dbs.map((db) => db.destroy()));
      }
    });

    it('refuses to start against a schema newer than the code', async () => {
      created = await dialect.createConfigDb();
      const db = createDb(created.dbConfig);
      await migrateToLatest(db.kysely);
      await sql`insert into ${sql.table(MIGRATION_TABLE)} (name, timestamp) values ('9999-from-the-future', '2030-01-01T00:00:00Z')`.execute(
        db.kysely,
      );
      await db.destroy();
      const config = { ...loadConfig({ LOG_LEVEL: 'silent' }), db: created.dbConfig };
      await expect(createRuntime(config, { logger: pino({ level: 'silent' }) })).rejects.toMatchObject({
        code: 'SCHEMA_TOO_NEW',
        details: { unknownMigrations: ['9999-from-the-future'] },
      });
    });
  });
}
