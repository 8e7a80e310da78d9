import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../src/platform/db/create-db.js';
import { createSignals, MAX_SIGNAL_BYTES, type Signals } from '../../src/platform/signals/index.js';
import { nextSignals, terminateListeners } from '../helpers/signals.js';
import { createTestDb, TEST_DIALECTS } from '../helpers/test-db.js';

const logger = pino({ level: 'silent' });

function signalsOf(db: Db, listenUrl?: string): Signals {
  return createSignals({
    dialect: db.dialect,
    db: db.kysely,
    ...(listenUrl ? { listenUrl } : {}),
    logger,
    reconnect: { minMs: 20, maxMs: 200 },
  });
}

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: signals`, () => {
    let db: Db;
    let cleanup: () => Promise<void>;
    let listenUrl: string | undefined;
    let signals: Signals;

    beforeAll(async () => {
      let dbConfig: Awaited<ReturnType<typeof createTestDb>>['dbConfig'];
      ({ db, dbConfig, cleanup } = await createTestDb(dialect));
      listenUrl = dbConfig.driver === 'postgres' ? dbConfig.url : undefined;
      signals = signalsOf(db, listenUrl);
      expect(await signals.listening()).toBe(true);
    });
    afterAll(async () => {
      await signals?.close();
      await cleanup?.();
    });

    it('delivers in this process to the key and to `*` subscribers, once each', async () => {
      const got: string[] = [];
      const offKey = signals.subscribe('test.a', 'k1', (s) => got.push(`k1:${s.key}:${s.payload}`));
      const offAll = signals.subscribe('test.a', '*', (s) => got.push(`*:${s.key}:${s.payload}`));
      const offOther = signals.subscribe('test.b', '*', (s) => got.push(`b:${s.key}`));
      const echo = nextSignals(signals, 'test.a', 2);
      await signals.publish('test.a', 'k1', 'hello');
      await signals.publish('test.a', 'k2');
      await echo;
      offKey();
      await signals.publish('test.a', 'k1', 'again');
      offAll();
      offOther();
      await signals.publish('test.a', 'k1', 'nobody');
      // Let a PostgreSQL echo of the publishes arrive, if one (wrongly) would.
      await new Promise((r) => setTimeout(r, 100));
      expect(got).toEqual(['k1:k1:hello', '*:k1:hello', '*:k2:undefined', '*:k1:again']);
    });

    it('refuses a payload PostgreSQL NOTIFY cannot carry, and a malformed topic', async () => {
      await expect(signals.publish('test.big', 'k', 'x'.repeat(MAX_SIGNAL_BYTES))).rejects.toThrow(/at most 7999/);
      await expect(signals.publish('Bad Topic', 'k')).rejects.toThrow(/topic/);
      await expect(signals.publish('test.big', 'k', 'x'.repeat(MAX_SIGNAL_BYTES - 100))).resolves.toBeUndefined();
    });

    it('withTransaction delivers what was published only after a commit, never after a rollback', async () => {
      const got: string[] = [];
      const off = signals.subscribe('test.tx', '*', (s) => got.push(s.key));
      await expect(
        signals.withTransaction(db.kysely, async (_trx, publish) => {
          publish('test.tx', 'rolled-back');
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      const result = await signals.withTransaction(db.kysely, async (trx, publish) => {
        publish('test.tx', 'one');
        publish('test.tx', 'two');
        expect(got).toEqual([]);
        await sql`select 1`.execute(trx);
        return 42;
      });
      expect(result).toBe(42);
      expect(got).toEqual(['one', 'two']);
      await new Promise((r) => setTimeout(r, 100));
      expect(got).toEqual(['one', 'two']);
      off();
    });

    it('fold: a signal carried by the caller’s own statement is delivered after the commit', async () => {
      const seen = nextSignals(signals, 'test.fold');
      const folded = signals.fold('test.fold', 'f1', 'p');
      if (folded.sql) {
        expect(dialect.name).toBe('postgres');
        await db.kysely.transaction().execute(async (trx) => {
          await sql`with x as (select 1 as n) select n, ${folded.sql} from x`.execute(trx);
        });
      } else {
        expect(dialect.name).toBe('sqlite');
      }
      folded.afterCommit();
      expect(await seen).toEqual([{ topic: 'test.fold', key: 'f1', payload: 'p' }]);
    });
  });
}

const pgDialect = TEST_DIALECTS.find((d) => d.name === 'postgres')!;

describe.skipIf(pgDialect.skip)('postgres: signals between nodes (two Db + signals in one process)', () => {
  let dbA: Db;
  let dbB: Db;
  let a: Signals;
  let b: Signals;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const created = await createTestDb(pgDialect);
    dbA = created.db;
    const url = (created.dbConfig as { url: string }).url;
    dbB = createDb(created.dbConfig);
    a = signalsOf(dbA, url);
    b = signalsOf(dbB, url);
    expect(await a.listening()).toBe(true);
    expect(await b.listening()).toBe(true);
    cleanup = async () => {
      await a.close();
      await b.close();
      await dbB.destroy();
      await created.cleanup();
    };
  });
  afterAll(async () => cleanup?.());

  it('a publish on one node reaches the other node’s subscribers (and the publisher’s once)', async () => {
    const onA: string[] = [];
    const offA = a.subscribe('test.x', '*', (s) => onA.push(s.key));
    const onB = nextSignals(b, 'test.x', 2);
    await a.publish('test.x', 'k1', 'payload');
    await a.withTransaction(dbA.kysely, async (_trx, publish) => publish('test.x', 'k2'));
    expect(await onB).toEqual([
      { topic: 'test.x', key: 'k1', payload: 'payload' },
      { topic: 'test.x', key: 'k2', payload: undefined },
    ]);
    expect(onA).toEqual(['k1', 'k2']);
    offA();
  });

  it('a rolled-back transaction notifies no node', async () => {
    const onB: string[] = [];
    const off = b.subscribe('test.rb', '*', (s) => onB.push(s.key));
    const marker = nextSignals(b, 'test.rb-end');
    await expect(
      a.withTransaction(dbA.kysely, async (_trx, publish) => {
        publish('test.rb', 'never');
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    // NOTIFYs of one session arrive in order: once the marker arrives, a notification of the rollback would have too.
    await a.publish('test.rb-end', 'k');
    await marker;
    expect(onB).toEqual([]);
    off();
  });

  it('a folded notify reaches the other node and, through its own listener, the publishing node', async () => {
    const onA = nextSignals(a, 'test.folded');
    const onB = nextSignals(b, 'test.folded');
    const folded = a.fold('test.folded', 'k9');
    await sql`select ${folded.sql}`.execute(dbA.kysely);
    folded.afterCommit();
    expect((await onA)[0]?.key).toBe('k9');
    expect((await onB)[0]?.key).toBe('k9');
  });

  it('reconnects after its connection is terminated, tells onConnect, and receives again', async () => {
    let reconnectsB = 0;
    const reconnected = (s: Signals, count?: () => void) =>
      new Promise<void>((resolve) => {
        s.onConnect(() => {
          count?.();
          resolve();
        });
      });
    const both = Promise.all([reconnected(a), reconnected(b, () => reconnectsB++)]);
    expect(await terminateListeners(dbA)).toBe(2);
    await both;
    expect(reconnectsB).toBe(1);
    expect(a.isListening() && b.isListening()).toBe(true);
    const onB = nextSignals(b, 'test.after');
    await a.publish('test.after', 'k');
    expect((await onB)[0]?.key).toBe('k');
  });
});
