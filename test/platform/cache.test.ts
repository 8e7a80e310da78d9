import type { Transaction } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  attachCaches,
  cacheOf,
  createCache,
  invalidateAfterCommit,
  invalidateCached,
} from '../../src/platform/cache/index.js';
import { createManualClock } from '../../src/platform/clock.js';
import { createDb, type Db } from '../../src/platform/db/create-db.js';
import type { Database } from '../../src/platform/db/database.js';
import { createSignals, type Signals } from '../../src/platform/signals/index.js';
import { nextSignals, terminateListeners } from '../helpers/signals.js';
import { createTestDb, TEST_DIALECTS } from '../helpers/test-db.js';

const logger = pino({ level: 'silent' });
const signalsOf = (db: Db, listenUrl: string | undefined): Signals =>
  createSignals({
    dialect: db.dialect,
    db: db.kysely,
    ...(listenUrl ? { listenUrl } : {}),
    logger,
    reconnect: { minMs: 20, maxMs: 200 },
  });

/** A load that counts its calls and answers `value()`. */
function loader<V>(value: () => V | undefined) {
  let calls = 0;
  return {
    calls: () => calls,
    load: async () => {
      calls += 1;
      return value();
    },
  };
}

let specSeq = 0;
const spec = (over: Partial<{ ttlMs: number; maxEntries: number }> = {}) => ({
  name: `test.c${specSeq++}`,
  ttlMs: 10_000,
  maxEntries: 100,
  ...over,
});

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: cache`, () => {
    let db: Db;
    let signals: Signals;
    let cleanup: () => Promise<void>;
    const clock = createManualClock('2025-06-01T00:00:00Z');

    beforeAll(async () => {
      const created = await createTestDb(dialect);
      db = created.db;
      signals = signalsOf(db, created.dbConfig.driver === 'postgres' ? created.dbConfig.url : undefined);
      expect(await signals.listening()).toBe(true);
      cleanup = async () => {
        await signals.close();
        await created.cleanup();
      };
    });
    afterAll(async () => cleanup?.());

    it('serves a loaded value until its TTL ends on the Clock; a missing value is never kept', async () => {
      const cache = createCache<string>(spec({ ttlMs: 10_000 }), { clock, signals, logger });
      const l = loader(() => 'v1');
      expect(await cache.get('k', l.load)).toBe('v1');
      clock.advance(9_999);
      expect(await cache.get('k', l.load)).toBe('v1');
      expect(l.calls()).toBe(1);
      clock.advance(1);
      expect(await cache.get('k', l.load)).toBe('v1');
      expect(l.calls()).toBe(2);
      const missing = loader<string>(() => undefined);
      expect(await cache.get('absent', missing.load)).toBeUndefined();
      expect(await cache.get('absent', missing.load)).toBeUndefined();
      expect(missing.calls()).toBe(2);
    });

    it('holds at most maxEntries, dropping the least recently used', async () => {
      const cache = createCache<string>(spec({ maxEntries: 2 }), { clock, signals, logger });
      const l = loader(() => 'v');
      await cache.get('a', l.load);
      await cache.get('b', l.load);
      await cache.get('a', l.load); // a is now the most recent
      await cache.get('c', l.load); // b goes
      expect(cache.size()).toBe(2);
      expect(l.calls()).toBe(3);
      await cache.get('a', l.load);
      expect(l.calls()).toBe(3);
      await cache.get('b', l.load);
      expect(l.calls()).toBe(4);
    });

    it('invalidate(key) takes effect at once in this process, for that key only; invalidateAll for all', async () => {
      const cache = createCache<string>(spec(), { clock, signals, logger });
      let stored = 'old';
      const l = loader(() => stored);
      await cache.get('k', l.load);
      await cache.get('other', l.load);
      stored = 'new';
      await cache.invalidate('k');
      expect(await cache.get('k', l.load)).toBe('new');
      expect(await cache.get('other', l.load)).toBe('old');
      await cache.invalidateAll();
      expect(await cache.get('other', l.load)).toBe('new');
    });

    it('the race: an invalidation that arrives while a load is in flight keeps the stale value out', async () => {
      const cache = createCache<string>(spec(), { clock, signals, logger });
      let release: (v: string) => void = () => {};
      // The load read the row before the write committed...
      const inFlight = cache.get('k', () => new Promise<string>((resolve) => (release = resolve)));
      // ...the write commits and invalidates...
      await cache.invalidate('k');
      // ...and only then does the load return the old row: its caller gets it, the cache does not keep it.
      release('stale');
      expect(await inFlight).toBe('stale');
      const l = loader(() => 'fresh');
      expect(await cache.get('k', l.load)).toBe('fresh');
      expect(l.calls()).toBe(1);
    });

    it('an invalidation through a transaction waits for its commit; a rollback drops it; elsewhere it is refused', async () => {
      attachCaches(db.kysely, { clock, signals, logger });
      const s = spec();
      const cache = cacheOf<string>(db.kysely, s)!;
      let stored = 'old';
      const l = loader(() => stored);
      expect(await cache.get('k', l.load)).toBe('old');
      await invalidateAfterCommit(db.kysely, async (trx) => {
        stored = 'new';
        await invalidateCached(trx, s, 'k');
        // Not yet: the transaction has not committed.
        expect(await cache.get('k', l.load)).toBe('old');
      });
      expect(await cache.get('k', l.load)).toBe('new');
      await expect(
        invalidateAfterCommit(db.kysely, async (trx) => {
          stored = 'rolled back';
          await invalidateCached(trx, s, 'k');
          throw new Error('rollback');
        }),
      ).rejects.toThrow('rollback');
      expect(await cache.get('k', l.load)).toBe('new');
      // A transaction not opened by invalidateAfterCommit cannot hold the invalidation: refused, loudly.
      await expect(db.kysely.transaction().execute((trx) => invalidateCached(trx, s, 'k'))).rejects.toThrow(
        /after the transaction commits/,
      );
      // Nor can its handle once invalidateAfterCommit returned (kept by a closure, say): the invalidation would be
      // held for a commit that already happened, and lost.
      let ended: Transaction<Database> | undefined;
      await invalidateAfterCommit(db.kysely, async (trx) => {
        ended = trx;
      });
      await expect(invalidateCached(ended!, s, 'k')).rejects.toThrow(/after the transaction commits/);
    });
  });
}

const pgDialect = TEST_DIALECTS.find((d) => d.name === 'postgres')!;

describe.skipIf(pgDialect.skip)('postgres: cache on two nodes', () => {
  let a: Signals;
  let b: Signals;
  let dbA: Db;
  let cleanup: () => Promise<void>;
  const clock = createManualClock('2025-06-01T00:00:00Z');

  beforeAll(async () => {
    const created = await createTestDb(pgDialect);
    dbA = created.db;
    const dbB = createDb(created.dbConfig);
    const url = (created.dbConfig as { url: string }).url;
    a = signalsOf(dbA, url);
    b = signalsOf(dbB, url);
    cleanup = async () => {
      await a.close();
      await b.close();
      await dbB.destroy();
      await created.cleanup();
    };
  });
  afterAll(async () => cleanup?.());

  it('an invalidation on one node reaches the other; a load in flight there when it arrives is not kept', async () => {
    const s = spec();
    const onA = createCache<string>(s, { clock, signals: a, logger });
    const onB = createCache<string>(s, { clock, signals: b, logger });
    expect(await a.listening()).toBe(true);
    expect(await b.listening()).toBe(true);
    let stored = 'old';
    const l = loader(() => stored);
    await onB.get('k', l.load);
    let release: (v: string) => void = () => {};
    const inFlight = onB.get('k2', () => new Promise<string>((resolve) => (release = resolve)));
    stored = 'new';
    const heard = nextSignals(b, `cache.${s.name}`);
    await onA.invalidate('k');
    await heard;
    release('stale');
    await inFlight;
    expect(await onB.get('k', l.load)).toBe('new');
    expect(await onB.get('k2', l.load)).toBe('new');
  });

  it('drops everything when its listener reconnects (invalidations may have been missed meanwhile)', async () => {
    const s = spec();
    const cache = createCache<string>(s, { clock, signals: b, logger });
    const l = loader(() => 'v');
    await cache.get('k', l.load);
    expect(cache.size()).toBe(1);
    const reconnected = new Promise<void>((resolve) => b.onConnect(resolve));
    await terminateListeners(dbA);
    await reconnected;
    expect(cache.size()).toBe(0);
    await cache.get('k', l.load);
    expect(cache.size()).toBe(1);
  });
});
