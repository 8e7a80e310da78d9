import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../src/platform/db/create-db.js';
import { createSqliteSync } from '../../src/platform/db/sqlite-sync.js';
import { createSqliteConfigDb } from '../helpers/test-db.js';

const insert = (v: string) => (run: (s: string, values: readonly unknown[]) => number) =>
  run('insert into t (v) values (?)', [v]);

/**
 * SQLite's synchronous batches (platform/db/sqlite-sync.ts): the works queued in one turn of the event loop commit
 * together or not at all, and never inside another transaction.
 */
describe('sqlite: synchronous batches through the app database', () => {
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

  it('commits every work of the turn, each answered what it answered', async () => {
    const answers = await Promise.all([
      db.sqliteSync!.batch(
        (run) => run('insert into t (v) values (?)', ['a']) + run('insert into t (v) values (?), (?)', ['b', 'c']),
      ),
      db.sqliteSync!.batch(insert('d')),
    ]);
    expect(answers).toEqual([{ value: 3 }, { value: 1 }]);
    expect(await rows()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('writes nothing of the turn when one work throws: every caller is told to take its own path', async () => {
    const answers = await Promise.all([
      db.sqliteSync!.batch(insert('e')),
      db.sqliteSync!.batch((run) => {
        run('insert into t (v) values (?)', ['f']);
        return run('insert into t (v) values (?)', ['a']); // primary key taken
      }),
      db.sqliteSync!.batch(insert('g')),
    ]);
    expect(answers).toEqual([undefined, undefined, undefined]);
    expect(await rows()).toEqual(['a', 'b', 'c', 'd']);
    // The connection is usable (no transaction left open), and the next turn is a batch of its own.
    expect(await db.sqliteSync!.batch(insert('e'))).toEqual({ value: 1 });
    expect(await rows()).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('runs nothing while a Kysely transaction holds the connection: that transaction rolls back alone', async () => {
    let inside: unknown = 'not settled';
    await expect(
      db.kysely.transaction().execute(async (trx) => {
        await sql`insert into t (v) values ('h')`.execute(trx);
        inside = await db.sqliteSync!.batch(insert('i'));
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    expect(inside).toBeUndefined();
    expect(await rows()).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
});

describe('sqlite: one commit per batch', () => {
  let sqlite: SqliteDatabase.Database;
  let statements: string[];

  beforeEach(() => {
    const raw = new SqliteDatabase(':memory:');
    raw.exec(`create table p (id text primary key);
      create table c (v text primary key, p text references p (id) deferrable initially deferred);`);
    raw.pragma('foreign_keys = ON');
    statements = [];
    sqlite = new Proxy(raw, {
      get(target, prop) {
        if (prop === 'prepare')
          return (text: string) => {
            statements.push(text);
            return target.prepare(text);
          };
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  });

  it('runs the works queued in one turn between one begin and one commit, and the next turn in its own', async () => {
    const sync = createSqliteSync(sqlite);
    const first = await Promise.all(
      ['1', '2', '3'].map((id) => sync.batch((run) => run('insert into p (id) values (?)', [id]))),
    );
    expect(first).toEqual([{ value: 1 }, { value: 1 }, { value: 1 }]);
    expect(await sync.batch((run) => run('insert into p (id) values (?)', ['4']))).toEqual({ value: 1 });
    expect(statements.filter((s) => s === 'begin' || s === 'commit')).toEqual(['begin', 'commit', 'begin', 'commit']);
    expect(sqlite.prepare('select count(*) as n from p').get()).toEqual({ n: 4 });
  });

  it('answers every caller, throwing nothing out of its turn, when the connection is closed', async () => {
    const sync = createSqliteSync(sqlite);
    sqlite.close();
    const answers = await Promise.all([
      sync.batch((run) => run('insert into p (id) values (?)', ['y'])),
      sync.batch((run) => run('insert into p (id) values (?)', ['z'])),
    ]);
    expect(answers).toEqual([undefined, undefined]);
  });

  it('rolls back the whole batch when its commit fails (a deferred constraint), and tells every caller', async () => {
    const sync = createSqliteSync(sqlite);
    const answers = await Promise.all([
      sync.batch((run) => run('insert into p (id) values (?)', ['x'])),
      sync.batch((run) => run('insert into c (v, p) values (?, ?)', ['orphan', 'missing'])),
    ]);
    expect(answers).toEqual([undefined, undefined]);
    expect(statements).toContain('rollback');
    expect(sqlite.inTransaction).toBe(false);
    expect(sqlite.prepare('select count(*) as n from p').get()).toEqual({ n: 0 });
  });
});
