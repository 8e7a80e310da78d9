/**
 * Direct dispatch's explicit paths (issue #12 review):
 * - what the enqueuer hands a dispatched job (`DispatchSlot.run(job, handed)`) reaches that run's handler as
 *   `helpers.handed` — no module-level side table — and only that run: a claimed job, or a retry, gets nothing;
 * - `withAfterCommitDispatch` ends its dispatch on every path: jobs run after a commit, every slot is given back after
 *   a rollback, and a slot that throws does not leave the others reserved (a reserved slot is a worker slot lost).
 */
import { describe, expect, it } from 'vitest';
import { type DispatchSlot, enqueueJob, type Job } from '../../src/platform/jobs/index.js';
import { afterCommitDispatch, withAfterCommitDispatch } from '../../src/platform/jobs-runtime.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { waitFor } from '../helpers/wait.js';
import { registryWith, useWorkerFixture } from './jobs-test-kit.js';

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: direct dispatch hands its run what the enqueuer holds`, () => {
    const { clock, db, worker } = useWorkerFixture(dialect);

    it('passes `handed` to the dispatched run only; a claimed job and a retry get nothing', async () => {
      const seen: { label: string; attempt: number; handed: unknown }[] = [];
      const registry = registryWith(async (p, h) => {
        seen.push({ label: p.label, attempt: h.job.attempts, handed: h.handed });
        if (p.label === 'dispatched' && h.job.attempts === 1) throw new Error('first attempt fails');
      });
      const w = worker(registry, { backoff: () => 0 });
      w.start();
      try {
        const slot = w.reserve();
        expect(slot).not.toBeNull();
        const now = clock.now();
        const { job } = await enqueueJob(
          db().kysely,
          registry,
          'test/do-work',
          { label: 'dispatched' },
          { now, lease: { workerId: slot!.workerId, until: now + slot!.leaseMs } },
        );
        slot!.run(job!, { row: 'as inserted' });
        await enqueueJob(db().kysely, registry, 'test/do-work', { label: 'claimed' }, { now });
        w.notify();
        await waitFor('three runs', () => seen.length === 3);
        expect(seen.find((s) => s.label === 'dispatched' && s.attempt === 1)?.handed).toEqual({ row: 'as inserted' });
        expect(seen.find((s) => s.label === 'dispatched' && s.attempt === 2)?.handed).toBeUndefined();
        expect(seen.find((s) => s.label === 'claimed')?.handed).toBeUndefined();
      } finally {
        await w.stop();
      }
    });
  });
}

describe('withAfterCommitDispatch', () => {
  /** Slots that record what happened to them; `throwOnRun` makes the first one's run throw. */
  function fakeJobs(throwOnRun = false) {
    const log: string[] = [];
    let n = 0;
    return {
      log,
      reserve(): DispatchSlot {
        const id = ++n;
        let open = true;
        return {
          workerId: 'w',
          leaseMs: 1000,
          run(job: Job) {
            if (!open) throw new Error('closed');
            open = false;
            if (throwOnRun && id === 1) throw new Error('run failed');
            log.push(`run ${id} ${job.id}`);
          },
          release() {
            if (!open) return;
            open = false;
            log.push(`release ${id}`);
          },
        };
      },
    };
  }
  const job = (id: string) => ({ id }) as Job;

  it('runs the inserted jobs after the work resolved, and gives back a slot whose insert met its key', async () => {
    const jobs = fakeJobs();
    const result = await withAfterCommitDispatch(jobs, async (d) => {
      d.inserted(d.reserve()!, job('a'));
      d.inserted(d.reserve()!, undefined);
      return 'committed';
    });
    expect(result).toBe('committed');
    expect(jobs.log).toEqual(['run 1 a', 'release 2']);
  });

  it('gives every slot back when the work throws (rolled back), and rethrows', async () => {
    const jobs = fakeJobs();
    await expect(
      withAfterCommitDispatch(jobs, async (d) => {
        d.inserted(d.reserve()!, job('a'));
        d.inserted(d.reserve()!, job('b'));
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    expect(jobs.log).toEqual(['release 1', 'release 2']);
  });

  it('still runs or gives back every other slot when one slot throws', () => {
    const jobs = fakeJobs(true);
    const d = afterCommitDispatch(jobs);
    d.inserted(d.reserve()!, job('a'));
    d.inserted(d.reserve()!, job('b'));
    d.inserted(d.reserve()!, undefined);
    expect(() => d.committed()).toThrow('run failed');
    expect(jobs.log).toEqual(['run 2 b', 'release 3']);
    // Ended: nothing more is reserved or run through it.
    expect(d.reserve()).toBeNull();
    d.failed();
    expect(jobs.log).toEqual(['run 2 b', 'release 3']);
  });
});
