import { describe, expect, it } from 'vitest';
import {
  createTaskRegistry,
  createWorker,
  enqueueJob,
  type JobFinishedInfo,
  PermanentJobError,
} from '../../src/platform/jobs/index.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { waitFor } from '../helpers/wait.js';
import { deferred, registryWith, silentLogger, testJobsConfig, useWorkerFixture } from './jobs-test-kit.js';

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: job worker outcomes`, () => {
    const { clock, db, worker, enqueue, load } = useWorkerFixture(dialect);
    it('runs a due job and marks it succeeded', async () => {
      const seen: string[] = [];
      const finished: JobFinishedInfo[] = [];
      const registry = registryWith(async (p, h) => {
        seen.push(`${p.label}:${h.job.attempts}`);
      });
      const id = await enqueue(registry, 'hello');
      expect(await worker(registry, { onJobFinished: (i) => finished.push(i) }).runOnce()).toBe(1);
      expect(seen).toEqual(['hello:1']);
      expect(await load(id)).toMatchObject({
        state: 'succeeded',
        attempts: 1,
        locked_by: null,
        finished_at: clock.now(),
      });
      expect(finished).toMatchObject([{ task: 'test/do-work', state: 'succeeded' }]);
    });

    it('runs jobs by priority, then run_at', async () => {
      const order: string[] = [];
      const registry = registryWith(async (p) => {
        order.push(p.label);
      });
      await enqueue(registry, 'low', { priority: 5 });
      await enqueue(registry, 'high', { priority: -1 });
      const single = createWorker({
        db: db(),
        registry,
        config: testJobsConfig({ concurrency: 1 }),
        logger: silentLogger,
        clock,
      });
      while ((await single.runOnce()) > 0);
      expect(order).toEqual(['high', 'low']);
    });

    it('claims no more jobs than it has free slots', async () => {
      const registry = registryWith(async () => {});
      for (let i = 0; i < 10; i++) await enqueue(registry, `j${i}`);
      const w = createWorker({
        db: db(),
        registry,
        config: testJobsConfig({ concurrency: 3 }),
        logger: silentLogger,
        clock,
      });
      expect(await w.runOnce()).toBe(3);
      expect(await db().kysely.selectFrom('jobs').select('id').where('state', '=', 'succeeded').execute()).toHaveLength(
        3,
      );
    });

    it('runs a job queued while direct dispatch held every slot, once the dispatched job finishes', async () => {
      const gate = deferred();
      const seen: string[] = [];
      const registry = registryWith(async (p) => {
        if (p.label === 'direct') await gate.promise;
        seen.push(p.label);
      });
      // One slot and a poll interval far beyond the test: only the worker's own wake-ups can run the queued job.
      const w = createWorker({
        db: db(),
        registry,
        config: testJobsConfig({ concurrency: 1, pollIntervalMs: 600_000 }),
        logger: silentLogger,
        clock,
      });
      w.start();
      try {
        const slot = w.reserve();
        expect(slot).not.toBeNull();
        // A request finds no free slot: its job is queued and the worker notified, while the slot is taken.
        const queued = await enqueue(registry, 'queued');
        w.notify();
        await new Promise((resolve) => setTimeout(resolve, 50));
        const direct = await enqueueJob(
          db().kysely,
          registry,
          'test/do-work',
          { label: 'direct' },
          { now: clock.now(), lease: { workerId: slot!.workerId, until: clock.now() + slot!.leaseMs } },
        );
        slot!.run(direct.job!);
        expect((await load(queued)).state).toBe('queued');
        gate.resolve();
        await waitFor('the queued job', async () => (await load(queued)).state === 'succeeded', { attempts: 800 });
        expect(seen).toEqual(['direct', 'queued']);
      } finally {
        await w.stop();
      }
    });

    it('retries a failed job after the backoff delay, then succeeds', async () => {
      let calls = 0;
      const registry = registryWith(async () => {
        calls++;
        if (calls === 1) throw new Error('channel timeout');
      });
      const id = await enqueue(registry);
      const w = worker(registry);
      await w.runOnce();
      const failed = await load(id);
      expect(failed).toMatchObject({ state: 'retry', attempts: 1, locked_by: null });
      expect(failed.last_error).toBe('Error: channel timeout');
      expect(failed.run_at - clock.now()).toBeGreaterThanOrEqual(Math.round(Math.exp(1) * 800));
      expect(failed.run_at - clock.now()).toBeLessThanOrEqual(Math.round(Math.exp(1) * 1200));
      expect(await w.runOnce()).toBe(0);
      clock.advance(3_500);
      expect(await w.runOnce()).toBe(1);
      expect(await load(id)).toMatchObject({ state: 'succeeded', attempts: 2, last_error: null });
    });

    it('sends a job to dead at once on PermanentJobError', async () => {
      const registry = registryWith(async () => {
        throw new PermanentJobError('tax code invalid');
      });
      const id = await enqueue(registry);
      await worker(registry).runOnce();
      const job = await load(id);
      expect(job).toMatchObject({ state: 'dead', attempts: 1, finished_at: clock.now() });
      expect(job.last_error).toMatch(/^PermanentJobError: tax code invalid/);
    });

    it('sends a job to dead when its attempts are used up', async () => {
      const registry = registryWith(async () => {
        throw new Error('still down');
      }, 2);
      const id = await enqueue(registry);
      const w = worker(registry, { backoff: () => 1_000 });
      await w.runOnce();
      expect(await load(id)).toMatchObject({ state: 'retry', attempts: 1 });
      clock.advance(1_000);
      await w.runOnce();
      expect(await load(id)).toMatchObject({ state: 'dead', attempts: 2, max_attempts: 2 });
    });

    it('sends a job of an unknown task to dead', async () => {
      const id = await enqueue(registryWith(async () => {}));
      await worker(createTaskRegistry()).runOnce();
      const job = await load(id);
      expect(job.state).toBe('dead');
      expect(job.last_error).toContain('unknown task "test/do-work"');
    });
  });
}
