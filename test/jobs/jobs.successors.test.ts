/**
 * On PostgreSQL a job that finishes in its handler's transaction while other jobs wait for its slot claims them in
 * that transaction (issue #12: under a backlog a claim cost a commit of its own, ~0.44 per invoice). The claimed jobs
 * run only when the transaction committed; after a rollback they were never claimed and are taken by a later claim,
 * their attempt not counted. On SQLite (a commit is no round trip) the worker claims them at the run's end, as before.
 */
import { describe, expect, it } from 'vitest';
import type { TaskHelpers } from '../../src/platform/jobs/index.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { waitFor } from '../helpers/wait.js';
import { ClaimCounter, deferred, registryWith, testJobsConfig, useWorkerFixture } from './jobs-test-kit.js';

/** Lets the worker's poll (a setImmediate away, then synchronous up to its room check) run. */
const nextTurns = async () => {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
};

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: a finishing job hands its slot on in its own transaction`, () => {
    const { db, worker, enqueue, load } = useWorkerFixture(dialect);

    /**
     * A worker of one slot (no idle poll to speak of) whose handler completes each job in a transaction on a Kysely
     * that counts claims, after `gate` for the job labelled `a`; `rollback` labels throw inside that transaction
     * after completing.
     */
    function oneSlot(rollback: readonly string[] = [], throwAfterCommit: readonly string[] = []) {
      const gate = deferred();
      const inTrx = new ClaimCounter();
      const own = new ClaimCounter();
      const runs: { label: string; attempt: number }[] = [];
      /** Claims made in each label's first transaction, when it threw. */
      const claimsAtThrow = new Map<string, number>();
      const trxDb = db().kysely.withPlugin(inTrx);
      const registry = registryWith(async (p, h: TaskHelpers) => {
        runs.push({ label: p.label, attempt: h.job.attempts });
        if (p.label === 'a') await gate.promise;
        await trxDb.transaction().execute(async (trx) => {
          await h.complete(trx);
          if (rollback.includes(p.label) && h.job.attempts === 1) {
            claimsAtThrow.set(p.label, inTrx.claims);
            throw new Error(`${p.label} rolls back`);
          }
        });
        if (throwAfterCommit.includes(p.label)) throw new Error(`${p.label} fails after its commit`);
      });
      const w = worker(registry, {
        db: { ...db(), kysely: db().kysely.withPlugin(own) },
        config: testJobsConfig({ concurrency: 1, pollIntervalMs: 600_000 }),
        backoff: () => 0,
      });
      /**
       * Starts the worker, runs `a` (held at its gate), queues `then` behind it — the poll they wake finds no free
       * slot — and lets `a` finish. Answers the job ids, `a` first, and the worker's own claims while `a` ran.
       */
      async function aThen(...then: string[]): Promise<{ ids: string[]; claimsForA: number }> {
        w.start();
        const noop = registryWith(async () => {});
        const a = await enqueue(noop, 'a');
        w.notify();
        await waitFor('a running', () => runs.length === 1);
        const claimsForA = own.claims;
        const ids = [a];
        for (const label of then) ids.push(await enqueue(noop, label));
        w.notify();
        await nextTurns();
        gate.resolve();
        return { ids, claimsForA };
      }
      return { inTrx, own, runs, w, claimsAtThrow, aThen };
    }

    it('runs the waiting jobs one after the other, each claimed by the finishing one: no claim of their own', async () => {
      const { inTrx, own, runs, w, aThen } = oneSlot();
      try {
        const { ids, claimsForA } = await aThen('b', 'c');
        for (const id of ids) await waitFor(`${id} succeeded`, async () => (await load(id)).state === 'succeeded');
        expect(runs.map((r) => r.label)).toEqual(['a', 'b', 'c']);
        expect(runs.every((r) => r.attempt === 1)).toBe(true);
        if (dialect.name === 'postgres') {
          // a's transaction claimed b, b's claimed c, c's found nothing more; the worker claimed nothing on its own.
          expect(own.claims).toBe(claimsForA);
          expect(inTrx.claims).toBe(3);
        } else {
          expect(own.claims).toBeGreaterThan(claimsForA);
          expect(inTrx.claims).toBe(0);
        }
      } finally {
        await w.stop();
      }
    });

    it.skipIf(dialect.name !== 'postgres')(
      'does not run a job claimed in a transaction that rolled back: a later claim takes it, its attempt not counted',
      async () => {
        const { runs, w, claimsAtThrow, aThen } = oneSlot(['a']);
        try {
          const { ids } = await aThen('b');
          for (const id of ids) await waitFor(`${id} succeeded`, async () => (await load(id)).state === 'succeeded');
          // a's first transaction claimed b and rolled back: b ran once, on its first counted attempt; a ran again.
          expect(claimsAtThrow.get('a')).toBe(1);
          expect(runs.filter((r) => r.label === 'b')).toEqual([{ label: 'b', attempt: 1 }]);
          expect(runs.filter((r) => r.label === 'a').map((r) => r.attempt)).toEqual([1, 2]);
          expect((await load(ids[1]!)).attempts).toBe(1);
        } finally {
          await w.stop();
        }
      },
    );

    it.skipIf(dialect.name !== 'postgres')(
      'runs at once the job claimed with a completion that committed, even when the handler throws afterwards',
      async () => {
        const { inTrx, runs, w, aThen } = oneSlot([], ['a']);
        try {
          const { ids } = await aThen('b');
          const [a, b] = ids as [string, string];
          // Not left to its lease (30 s here): b runs as soon as a's run is over, on the attempt a's claim counted.
          await waitFor('b succeeded', async () => (await load(b)).state === 'succeeded', { attempts: 200 });
          expect(inTrx.claims).toBeGreaterThanOrEqual(1);
          expect(runs).toEqual([
            { label: 'a', attempt: 1 },
            { label: 'b', attempt: 1 },
          ]);
          // a's completion committed before it threw: it stays succeeded.
          expect((await load(a)).state).toBe('succeeded');
        } finally {
          await w.stop();
        }
      },
    );

    it('never runs more jobs at once than its slots, finishing jobs of both kinds handing slots on', async () => {
      const SLOTS = 2;
      let inFlight = 0;
      let most = 0;
      const done: string[] = [];
      const registry = registryWith(async (p, h: TaskHelpers) => {
        inFlight++;
        most = Math.max(most, inFlight);
        try {
          await new Promise((resolve) => setTimeout(resolve, Number(p.label.split(':')[1])));
          // Half complete in a transaction (and hand their slot on), half are completed by the worker after.
          if (p.label.startsWith('trx'))
            await db()
              .kysely.transaction()
              .execute((trx) => h.complete(trx));
        } finally {
          inFlight--;
          done.push(p.label);
        }
      });
      const w = worker(registry, { config: testJobsConfig({ concurrency: SLOTS, pollIntervalMs: 600_000 }) });
      w.start();
      try {
        const labels = Array.from({ length: 40 }, (_, i) => `${i % 2 ? 'trx' : 'plain'}:${(i * 7) % 5}`);
        for (const label of labels) {
          await enqueue(registry, label);
          w.notify();
        }
        await waitFor('all ran', () => done.length === labels.length, { attempts: 1200 });
        expect(most).toBeLessThanOrEqual(SLOTS);
      } finally {
        await w.stop();
      }
    });
  });
}

/**
 * PostgreSQL: a poll that finds a slot free while jobs run waits for the next of them to finish in its transaction and
 * claim for it (HAND_ON_WAIT_MS), instead of claiming on its own (a commit of its own); the timer claims when none has.
 */
for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: a poll with a free slot while jobs run`, () => {
    const { db, worker, enqueue, load } = useWorkerFixture(dialect);

    /**
     * A worker of two slots running `a` (held at `gate`, then completing in a transaction); `b` queued behind it
     * with one slot free. Answers the claims of the worker's own and of a's transaction.
     */
    async function aRunsThenB(handOnWaitMs: number) {
      const gate = deferred();
      const inTrx = new ClaimCounter();
      const own = new ClaimCounter();
      const ran: string[] = [];
      const trxDb = db().kysely.withPlugin(inTrx);
      const registry = registryWith(async (p, h: TaskHelpers) => {
        ran.push(p.label);
        if (p.label === 'a') await gate.promise;
        await trxDb.transaction().execute((trx) => h.complete(trx));
      });
      const w = worker(registry, {
        db: { ...db(), kysely: db().kysely.withPlugin(own) },
        config: testJobsConfig({ concurrency: 2, pollIntervalMs: 600_000 }),
        handOnWaitMs,
      });
      w.start();
      const a = await enqueue(registry, 'a');
      w.notify();
      await waitFor('a running', () => ran.length === 1);
      const claimsForA = own.claims;
      const b = await enqueue(registry, 'b');
      w.notify();
      await nextTurns();
      return { gate, inTrx, own, ran, w, a, b, claimsForA };
    }

    it('leaves the claim to the running job that finishes next (PostgreSQL); claims at once on SQLite', async () => {
      const { gate, inTrx, own, ran, w, a, b, claimsForA } = await aRunsThenB(600_000);
      try {
        if (dialect.name === 'postgres') {
          // Nothing claimed while a runs (the wait outlasts the test)...
          await nextTurns();
          expect(ran).toEqual(['a']);
          expect(own.claims).toBe(claimsForA);
          gate.resolve();
          // ...then a's transaction claims b (and b's looks for more, in its own transaction): no claim of the
          // worker's own.
          await waitFor('b succeeded', async () => (await load(b)).state === 'succeeded');
          expect(inTrx.claims).toBeGreaterThanOrEqual(1);
          expect(own.claims).toBe(claimsForA);
        } else {
          await waitFor('b succeeded', async () => (await load(b)).state === 'succeeded');
          expect(ran).toEqual(['a', 'b']);
          gate.resolve();
          expect(inTrx.claims).toBe(0);
        }
        await waitFor('a succeeded', async () => (await load(a)).state === 'succeeded');
      } finally {
        gate.resolve();
        await w.stop();
      }
    });

    it.skipIf(dialect.name !== 'postgres')(
      'stops looking once its own claim after the wait found nothing: runs that end without claiming do not poll',
      async () => {
        const gates = { a: deferred(), b: deferred() };
        const own = new ClaimCounter();
        const ran: string[] = [];
        // Neither completes in a transaction of its own: they cannot claim for a waiting poll.
        const registry = registryWith(async (p) => {
          ran.push(p.label);
          await gates[p.label as 'a' | 'b'].promise;
        });
        const a = await enqueue(registry, 'a');
        const b = await enqueue(registry, 'b');
        const w = worker(registry, {
          db: { ...db(), kysely: db().kysely.withPlugin(own) },
          config: testJobsConfig({ concurrency: 3, pollIntervalMs: 600_000 }),
          handOnWaitMs: 30,
        });
        try {
          w.start();
          await waitFor('a and b running', () => ran.length === 2);
          const claimsAtStart = own.claims;
          // A wake-up with a slot free while a and b run: the poll waits, then claims on its own and finds nothing.
          w.notify();
          await waitFor('the claim after the wait', () => own.claims === claimsAtStart + 1);
          gates.a.resolve();
          await waitFor('a succeeded', async () => (await load(a)).state === 'succeeded');
          gates.b.resolve();
          await waitFor('b succeeded', async () => (await load(b)).state === 'succeeded');
          // Had the empty claim left "jobs waiting" set, a's end would have polled (and waited, and claimed again),
          // and b's end claimed at once. Give such a claim time to show.
          await new Promise((resolve) => setTimeout(resolve, 200));
          expect(own.claims).toBe(claimsAtStart + 1);
        } finally {
          gates.a.resolve();
          gates.b.resolve();
          await w.stop();
        }
      },
    );

    it('claims on its own when no running job has finished within the wait', async () => {
      const { gate, own, ran, w, b, claimsForA } = await aRunsThenB(30);
      try {
        // a is still held at its gate: the worker's own claim (after the wait on PostgreSQL) runs b beside it.
        await waitFor('b succeeded', async () => (await load(b)).state === 'succeeded');
        expect(ran).toEqual(['a', 'b']);
        expect(own.claims).toBeGreaterThan(claimsForA);
      } finally {
        gate.resolve();
        await w.stop();
      }
    });
  });
}
