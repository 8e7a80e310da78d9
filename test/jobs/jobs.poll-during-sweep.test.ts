/**
 * A worker with no free slot still sweeps expired leases (once a second), and a poll asked for while that sweep runs
 * is not lost: when the slot frees during the sweep, the waiting job is claimed as soon as the sweep is over. (Found by
 * the two-process suite: a poll that returned after its sweep dropped the request, and with it the only timer of an
 * idle worker, which then never polled again.)
 */
import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { defineTask, enqueueJob } from '../../src/platform/jobs/index.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { waitFor } from '../helpers/wait.js';
import { deferred, registryOf, testJobsConfig, useWorkerFixture } from './jobs-test-kit.js';

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: a poll asked for during a full worker's sweep`, () => {
    const { clock, db, worker, load } = useWorkerFixture(dialect);

    it('is not lost: the slot freed meanwhile takes the waiting job once the sweep is over', async () => {
      const gate = deferred();
      const sweeping = deferred();
      const sweepGate = deferred();
      const ran: string[] = [];
      // One attempt each: a job whose lease expires goes dead in the sweep, whose onDead hook holds it.
      const registry = registryOf(
        defineTask({
          id: 'test/do-work',
          payload: Type.Object({ label: Type.String() }),
          maxAttempts: 1,
          handler: async (_deps: unknown, p) => {
            ran.push(p.label);
            if (p.label === 'a') await gate.promise;
          },
          onDead: async () => {
            sweeping.resolve();
            await sweepGate.promise;
          },
        }),
      );
      const enqueue = async (label: string, lease?: { workerId: string; until: number }) =>
        (
          await enqueueJob(
            db().kysely,
            registry,
            'test/do-work',
            { label },
            {
              now: clock.now(),
              ...(lease ? { lease } : {}),
            },
          )
        ).id;
      // One slot, and no idle poll within the test: only an asked-for poll can claim b.
      const w = worker(registry, { config: testJobsConfig({ concurrency: 1, pollIntervalMs: 600_000 }) });
      w.start();
      try {
        // A job claimed by a worker that is gone: its lease ends in half a second.
        await enqueue('ghost', { workerId: 'gone', until: clock.now() + 500 });
        const a = await enqueue('a');
        w.notify();
        await waitFor('a running', () => ran.length === 1);
        const b = await enqueue('b');
        // The sweep is due again and the ghost's lease is over: the poll finds no free slot and sweeps (held).
        clock.advance(1_001);
        w.notify();
        await sweeping.promise;
        // a finishes meanwhile: its end asks for a poll (a job waits), while the poll above is still sweeping.
        gate.resolve();
        await waitFor('a succeeded', async () => (await load(a)).state === 'succeeded');
        for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
        expect(ran).toEqual(['a']);
        sweepGate.resolve();
        await waitFor('b succeeded', async () => (await load(b)).state === 'succeeded');
        expect(ran).toEqual(['a', 'b']);
      } finally {
        sweepGate.resolve();
        await w.stop();
      }
    });
  });
}
