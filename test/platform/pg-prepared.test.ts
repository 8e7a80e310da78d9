/** Named prepared statements on PostgreSQL (src/platform/db/pg-prepared.ts), against a real server. */
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/platform/config/load-config.js';
import { createDb, type Db } from '../../src/platform/db/create-db.js';
import {
  installPreparedStatements,
  PREPARED_STATEMENT_DEFAULTS,
  preparedStatementStats,
} from '../../src/platform/db/pg-prepared.js';
import { TEST_DIALECTS, type TestDbConfig } from '../helpers/test-db.js';

const postgres = TEST_DIALECTS.find((d) => d.name === 'postgres');

describe.skipIf(!postgres || postgres.skip)('postgres: named prepared statements', () => {
  let created: TestDbConfig;
  let url: string;
  let db: Db;
  let unprepared: Db;
  beforeAll(async () => {
    created = await (postgres as NonNullable<typeof postgres>).createConfigDb();
    const dbConfig = created.dbConfig as Extract<Config['db'], { driver: 'postgres' }>;
    url = dbConfig.url;
    db = createDb(dbConfig);
    unprepared = createDb({ ...dbConfig, preparedStatements: false });
    await sql`create table items (id integer primary key, name text, amount_fen bigint, tags text)`.execute(db.kysely);
    await sql`insert into items select g, 'item ' || g, g * 100, case when g % 2 = 0 then 'even' end
      from generate_series(1, 50) g`.execute(db.kysely);
  });
  afterAll(async () => {
    await db?.destroy();
    await unprepared?.destroy();
    await created?.cleanup();
  });

  /** A pg client with the layer installed, closed after `fn`. */
  async function withClient<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    installPreparedStatements(client);
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  }

  it('prepares a repeated statement once per connection (pg_prepared_statements of that connection)', async () => {
    const text = 'select name from items where id = $1';
    const found = await db.kysely.connection().execute(async (conn) => {
      for (let i = 1; i <= 20; i++) {
        const { rows } = await sql.raw<{ name: string }>(text.replace('$1', String(i))).execute(conn);
        expect(rows).toHaveLength(1);
      }
      for (let i = 1; i <= 20; i++) {
        const { rows } = await sql<{ name: string }>`select name from items where id = ${i}`.execute(conn);
        expect(rows[0]?.name).toBe(`item ${i}`);
      }
      const { rows } = await sql<{ name: string; from_sql: boolean }>`
        select name, from_sql from pg_prepared_statements where statement = ${text}`.execute(conn);
      return rows;
    });
    expect(found).toHaveLength(1);
    expect(found[0]?.from_sql).toBe(false);
  });

  it('sends statements unnamed with DB_PREPARED_STATEMENTS=false', async () => {
    const count = await unprepared.kysely.connection().execute(async (conn) => {
      for (let i = 1; i <= 5; i++) await sql`select name from items where id = ${i}`.execute(conn);
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_prepared_statements`.execute(conn);
      return rows[0]?.n;
    });
    expect(count).toBe(0);
  });

  it('keeps at most maxPerConnection names with 10 000 distinct texts, each sent twice', async () => {
    const max = PREPARED_STATEMENT_DEFAULTS.maxPerConnection;
    await withClient(async (client) => {
      for (let i = 0; i < 10_000; i++) {
        const text = `select $1::int + ${i} as v`;
        for (let round = 0; round < 2; round++) {
          const { rows } = await client.query(text, [round]);
          expect(rows[0].v).toBe(i + round);
        }
      }
      const { rows } = await client.query('select count(*)::int as n from pg_prepared_statements');
      expect(rows[0].n).toBeGreaterThan(max / 2);
      expect(rows[0].n).toBeLessThanOrEqual(max);
      const stats = preparedStatementStats(client);
      expect(stats?.named).toBeLessThanOrEqual(max);
      expect(stats?.seen).toBeLessThanOrEqual(max * 4);
      const parsed = (client as unknown as { connection: { parsedStatements: object } }).connection.parsedStatements;
      expect(Object.keys(parsed).length).toBeLessThanOrEqual(max);
    });
  }, 300_000);

  it('never names a text seen once (variable in-lists), nor one without parameters', async () => {
    await withClient(async (client) => {
      for (let i = 0; i < 5; i++) await client.query('select count(*) from items; select 1');
      for (let n = 1; n <= 300; n++) {
        const list = Array.from({ length: n }, (_, i) => `$${i + 1}`).join(', ');
        await client.query(
          `select count(*)::int as n from items where id in (${list})`,
          Array.from({ length: n }, (_, i) => i + 1),
        );
      }
      const { rows } = await client.query(`select count(*)::int as n from pg_prepared_statements`);
      expect(rows[0].n).toBe(0);
    });
  });

  it('answers exactly what unnamed statements answer', async () => {
    const run = async (target: Db) => {
      const out: unknown[] = [];
      for (let round = 0; round < 3; round++) {
        out.push(
          (await sql`select * from items where id between ${5} and ${9} order by id`.execute(target.kysely)).rows,
          (await sql`select sum(amount_fen)::bigint as s, count(tags) as c from items`.execute(target.kysely)).rows,
          (await sql`select ${null}::text as n, ${'文'}::text as t, ${[1, 2]}::int[] as a`.execute(target.kysely)).rows,
          (
            await sql`with x as (update items set name = name where id = ${round + 1} returning id, amount_fen)
              select * from x`.execute(target.kysely)
          ).rows,
        );
      }
      return out;
    };
    expect(await run(db)).toEqual(await run(unprepared));
  });

  it('survives a schema change after `select *` was prepared (retried unnamed outside a transaction)', async () => {
    await withClient(async (client) => {
      await client.query('create table evolving (id integer primary key, a text)');
      await client.query(`insert into evolving values (1, 'x')`);
      const text = 'select * from evolving where id = $1';
      for (let i = 0; i < 3; i++) expect((await client.query(text, [1])).rows).toEqual([{ id: 1, a: 'x' }]);
      expect(preparedStatementStats(client)?.named).toBe(1);
      await client.query('alter table evolving add column b text');
      expect((await client.query(text, [1])).rows).toEqual([{ id: 1, a: 'x', b: null }]);
      // Prepared afresh with the new shape, and still right.
      for (let i = 0; i < 3; i++) expect((await client.query(text, [1])).rows).toEqual([{ id: 1, a: 'x', b: null }]);
      expect(preparedStatementStats(client)).toMatchObject({ named: 1, pendingDeallocate: 0 });
      const { rows } = await client.query(`select count(*)::int as n from pg_prepared_statements
        where statement = 'select * from evolving where id = $1'`);
      expect(rows[0].n).toBe(1);
    });
  });

  it('inside a transaction the result-type change fails that transaction; the next one works', async () => {
    await withClient(async (client) => {
      await client.query('create table evolving2 (id integer primary key, a text)');
      await client.query(`insert into evolving2 values (1, 'x')`);
      const text = 'select * from evolving2 where id = $1';
      for (let i = 0; i < 3; i++) await client.query(text, [1]);
      await client.query('alter table evolving2 add column b text');
      await client.query('begin');
      await expect(client.query(text, [1])).rejects.toMatchObject({ code: '0A000' });
      await client.query('rollback');
      await client.query('begin');
      expect((await client.query(text, [1])).rows).toEqual([{ id: 1, a: 'x', b: null }]);
      await client.query('commit');
    });
  });
});
