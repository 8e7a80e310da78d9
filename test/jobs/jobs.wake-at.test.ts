/**
 * The worker's own wake-up timer (`wakeAt`, issue #12 review): jobs this process knows will become due later (a
 * delayed job it queued, a retry's backoff) are claimed when they are due, even when the idle poll is an hour away —
 * every one of them, whatever order their due times were asked for in. One timer, re-armed for the next due time
 * after each wake; before the fix, a later time asked for while an earlier one was armed was dropped, and the job
 * waited for the idle poll.
 */
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/platform/clock.js';
import { enqueueJob } from '../../src/platform/jobs/index.js';
import { createJobsRuntime } from '../../src/platform/jobs-runtime.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { waitFor } from '../helpers/wait.js';
import { registryWith, testJobsConfig, useWorkerFixture } from './jobs-test-kit.js';

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: worker wake-ups for jobs due later`, () => {
    const { db, worker } = useWorkerFixture(dialect);

    for (const order of ['earliest first', 'latest first'] as const) {
      it(`runs every delayed job when due, the idle poll an hour away (${order})`, async () => {
        const ran: string[] = [];
        const registry = registryWith(async (p) => {
          ran.push(p.label);
        });
        // Real time: the timers are real; no wall-clock assertion, only that every job runs.
        const w = worker(registry, { clock: systemClock, config: testJobsConfig({ pollIntervalMs: 3_600_000 }) });
        const runtime = createJobsRuntime({ registry, clock: systemClock, dialect: dialect.name });
        runtime.attachWorker(w);
        w.start();
        try {
          // Its first poll (at start) finds nothing due.
          await new Promise((r) => setTimeout(r, 100));
          const now = systemClock.now();
          const delays = order === 'earliest first' ? [60, 250, 400] : [400, 250, 60];
          for (const delay of delays) {
            await runtime.enqueue(db().kysely, 'test/do-work', { label: `+${delay}` }, { runAt: now + delay });
          }
          await waitFor('all three delayed jobs', () => ran.length === 3);
          expect([...ran].sort()).toEqual(['+250', '+400', '+60']);
        } finally {
          await w.stop();
        }
      });
    }

    it('keeps later due times when an earlier wake-up finds the job gone (claimed elsewhere)', async () => {
      const ran: string[] = [];
      const registry = registryWith(async (p) => {
        ran.push(p.label);
      });
      const w = worker(registry, { clock: systemClock, config: testJobsConfig({ pollIntervalMs: 3_600_000 }) });
      w.start();
      try {
        await new Promise((r) => setTimeout(r, 100));
        const now = systemClock.now();
        // Only the later job exists; the earlier due time wakes for nothing, and the later one must still be woken.
        w.wakeAt(now + 50);
        await enqueueJob(db().kysely, registry, 'test/do-work', { label: 'later' }, { now, runAt: now + 300 });
        w.wakeAt(now + 300);
        await waitFor('the later job', () => ran.length === 1);
        expect(ran).toEqual(['later']);
      } finally {
        await w.stop();
      }
    });
  });
}
