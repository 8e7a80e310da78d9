import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock, systemClock } from '../../src/platform/clock.js';
import { createDb, type Db } from '../../src/platform/db/create-db.js';
import { waitUntilSettled } from '../../src/platform/settled-waiter.js';
import { createSignals, type Signals } from '../../src/platform/signals/index.js';
import { terminateListeners } from '../helpers/signals.js';
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

/** A stored value and the reads a waiter makes of it; `nextRead()` resolves at the next read. */
function store(initial: string) {
  let value = initial;
  let reads = 0;
  let onRead: (() => void) | null = null;
  return {
    set: (v: string) => {
      value = v;
    },
    reads: () => reads,
    read: async () => {
      reads += 1;
      onRead?.();
      return value;
    },
    nextRead: () =>
      new Promise<void>((resolve) => {
        onRead = () => {
          onRead = null;
          resolve();
        };
      }),
  };
}

const NO_SAFETY = 600_000;

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: ?wait on signals (settled-waiter)`, () => {
    let cleanup: () => Promise<void>;
    /** The waiting node. */
    let here: Signals;
    /** Where the work settles: another node (a second Db and listener) on PostgreSQL; this process on SQLite. */
    let there: Signals;
    let dbHere: Db;

    beforeAll(async () => {
      const created = await createTestDb(dialect);
      dbHere = created.db;
      const url = created.dbConfig.driver === 'postgres' ? created.dbConfig.url : undefined;
      here = signalsOf(created.db, url);
      if (dialect.name === 'postgres') {
        const dbThere = createDb(created.dbConfig);
        there = signalsOf(dbThere, url);
        cleanup = async () => {
          await here.close();
          await there.close();
          await dbThere.destroy();
          await created.cleanup();
        };
      } else {
        there = here;
        cleanup = async () => {
          await here.close();
          await created.cleanup();
        };
      }
    });
    afterAll(async () => cleanup?.());

    it('returns at once, without reading, when the value is already done or no wait was asked', async () => {
      const s = store('x');
      const done = (v: string) => v === 'done';
      expect(
        await waitUntilSettled(
          here,
          systemClock,
          { topic: 't.s', key: 'k' },
          { initial: 'done', read: s.read, done, seconds: 5 },
        ),
      ).toBe('done');
      expect(
        await waitUntilSettled(
          here,
          systemClock,
          { topic: 't.s', key: 'k' },
          { initial: 'open', read: s.read, done, seconds: 0 },
        ),
      ).toBe('open');
      expect(s.reads()).toBe(0);
    });

    it('wakes on a signal published by the other node: one read, then one per signal (no polling)', async () => {
      const s = store('pending');
      const firstRead = s.nextRead();
      const waiting = waitUntilSettled(
        here,
        systemClock,
        { topic: 'invoice.settled', key: 'inv_1' },
        { initial: 'pending', read: s.read, done: (v) => v === 'issued', seconds: 60, safetyReadMs: NO_SAFETY },
      );
      await firstRead;
      expect(s.reads()).toBe(1);
      // Signals for other keys and topics wake nobody here.
      await there.publish('invoice.settled', 'inv_2');
      await there.publish('scan-order.settled', 'inv_1');
      // Three signals while the value is still in flight: one read each.
      for (let i = 0; i < 3; i++) {
        const read = s.nextRead();
        await there.publish('invoice.settled', 'inv_1');
        await read;
      }
      s.set('issued');
      await there.withTransaction(dbHere.kysely, async (_trx, publish) => publish('invoice.settled', 'inv_1'));
      expect(await waiting).toBe('issued');
      expect(s.reads()).toBe(1 + 4);
    });

    it('ends at the deadline on the Clock with the last value read', async () => {
      const clock = createManualClock('2025-06-01T00:00:00Z');
      const s = store('issuing');
      const firstRead = s.nextRead();
      const waiting = waitUntilSettled(
        here,
        clock,
        { topic: 'invoice.settled', key: 'inv_3' },
        {
          initial: 'pending',
          read: async () => {
            const value = await s.read();
            // The second read happens after the deadline (time passed while it ran).
            if (s.reads() === 2) clock.advance(10_000);
            return value;
          },
          done: (v) => v === 'issued',
          seconds: 10,
          safetyReadMs: NO_SAFETY,
        },
      );
      await firstRead;
      await there.publish('invoice.settled', 'inv_3');
      expect(await waiting).toBe('issuing');
      expect(s.reads()).toBe(2);
    });

    it('ends after `seconds` of real time on a test clock that never moves, and keeps the last value when a read finds nothing', async () => {
      const clock = createManualClock('2025-06-01T00:00:00Z');
      let reads = 0;
      const value = await waitUntilSettled(
        here,
        clock,
        { topic: 'invoice.settled', key: 'inv_4' },
        {
          initial: 'pending',
          read: async () => {
            reads += 1;
            return undefined;
          },
          done: () => false,
          seconds: 0.2,
          safetyReadMs: 50,
        },
      );
      expect(value).toBe('pending');
      // One initial read and about one per safety interval (0.2 s / 50 ms): at least one safety re-read, and no busy
      // polling. Not exact: Node's timers count from the event loop's cached time, so on a busy machine a nap can end
      // early by the length of the callback that scheduled it, which leaves room for one or two more re-reads.
      expect(reads).toBeGreaterThanOrEqual(2);
      expect(reads).toBeLessThanOrEqual(10);
    });
  });
}

const pgDialect = TEST_DIALECTS.find((d) => d.name === 'postgres')!;

describe.skipIf(pgDialect.skip)('postgres: waiters across a lost listener connection', () => {
  let db: Db;
  let signals: Signals;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const created = await createTestDb(pgDialect);
    db = created.db;
    signals = signalsOf(db, (created.dbConfig as { url: string }).url);
    cleanup = async () => {
      await signals.close();
      await created.cleanup();
    };
  });
  afterAll(async () => cleanup?.());

  it('re-reads once after the listener reconnects (what happened meanwhile is not missed), then wakes on signals again', async () => {
    const s = store('pending');
    const firstRead = s.nextRead();
    const waiting = waitUntilSettled(
      signals,
      systemClock,
      { topic: 'invoice.settled', key: 'inv_9' },
      { initial: 'pending', read: s.read, done: (v) => v === 'issued', seconds: 60, safetyReadMs: NO_SAFETY },
    );
    await firstRead;
    // Settled while this node's listener is cut off: the signal is lost, the reconnection wakes the waiter.
    const afterReconnect = s.nextRead();
    expect(await terminateListeners(db)).toBe(1);
    await afterReconnect;
    expect(s.reads()).toBe(2);
    expect(signals.isListening()).toBe(true);
    s.set('issued');
    await signals.publish('invoice.settled', 'inv_9');
    expect(await waiting).toBe('issued');
    expect(s.reads()).toBe(3);
  });
});
