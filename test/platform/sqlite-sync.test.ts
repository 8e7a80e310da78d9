import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../src/platform/db/create-db.js';
import { createSqliteConfigDb } from '../helpers/test-db.js';

/** SQLite's synchronous transactions (platform/db/sqlite-sync.ts): all or nothing, and never inside another one. */
describe('sqlite: synchronous transactions', () => {
  let db: Db;
  let cleanup: () => Promise<void>;
  const rows = async () =>
    (await sql<{ v: string }>`select v from t order by v`.execute(db.kysely)).rows.map((r) => r.v);

  beforeAll(async () => {
    const created = await createSqliteConfigDb();
    db = createDb(created.dbConfig);
    cleanup = async () => {
      await db.destroy();
      await created.cleanup();
    };
    await sql`create table t (v text primary key)`.execute(db.kysely);
  });
  afterAll(async () => cleanup?.());

  it('commits every statement of the work together, and answers what the work answered', async () => {
    const done = db.sqliteSync!.transaction(
      (run) => run('insert into t (v) values (?)', ['a']) + run('insert into t (v) values (?), (?)', ['b', 'c']),
    );
    expect(done).toEqual({ value: 3 });
    expect(await rows()).toEqual(['a', 'b', 'c']);
  });

  it('rolls back everything when the work throws, and rethrows', async () => {
    expect(() =>
      db.sqliteSync!.transaction((run) => {
        run('insert into t (v) values (?)', ['d']);
        run('insert into t (v) values (?)', ['a']); // primary key taken
      }),
    ).toThrow(/UNIQUE/);
    expect(await rows()).toEqual(['a', 'b', 'c']);
    // The connection is usable (no transaction left open).
    expect(db.sqliteSync!.transaction((run) => run('insert into t (v) values (?)', ['e']))).toEqual({ value: 1 });
  });

  it('runs nothing while a Kysely transaction holds the connection: that transaction rolls back alone', async () => {
    let inside: unknown = 'not called';
    await expect(
      db.kysely.transaction().execute(async (trx) => {
        await sql`insert into t (v) values ('f')`.execute(trx);
        inside = db.sqliteSync!.transaction((run) => run('insert into t (v) values (?)', ['g']));
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    expect(inside).toBeUndefined();
    expect(await rows()).toEqual(['a', 'b', 'c', 'e']);
  });

  it('is SQLite only', () => {
    expect(db.dialect).toBe('sqlite');
    expect(typeof db.sqliteSync?.transaction).toBe('function');
  });
});
