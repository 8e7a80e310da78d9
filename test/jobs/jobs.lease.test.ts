import { describe, expect, it } from 'vitest';
import { createWorker, enqueueJob, JobLeaseLostError } from '../../src/platform/jobs/index.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { waitFor } from '../helpers/wait.js';
import {
  deferred,
  registryWith,
  silentLogger,
  testJobsConfig,
  useWorkerFixture,
  whenAborted,
} from './jobs-test-kit.js';

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: job worker leases and shutdown`, () => {
    const { clock, db, worker, enqueue, load } = useWorkerFixture(dialect);
    it('reclaims a job whose lease expired, and ignores the outcome of the worker that lost it', async () => {
      const started = deferred();
      const release = deferred();
      let calls = 0;
      const registry = registryWith(async () => {
        calls++;
        if (calls === 1) {
          started.resolve();
          await release.promise;
          return;
        }
        throw new Error('second worker failed');
      });
      const id = await enqueue(registry);
      const first = worker(registry, { workerId: 'w-first' });
      const firstRun = first.runOnce();
      await started.promise;
      clock.advance(testJobsConfig().leaseMs + 1);
      expect(await worker(registry, { workerId: 'w-second' }).runOnce()).toBe(1);
      expect(await load(id)).toMatchObject({ state: 'retry', attempts: 2 });
      release.resolve();
      expect(await firstRun).toBe(1);
      const job = await load(id);
      expect(job).toMatchObject({ state: 'retry', attempts: 2, locked_by: null });
      expect(job.last_error).toContain('second worker failed');
    });

    it("completes a job in the handler's transaction: one commit with its work, no second write", async () => {
      let follower = '';
      const registry = registryWith(async (payload, helpers) => {
        if (payload.label !== 'first') return;
        await db()
          .kysely.transaction()
          .execute(async (trx) => {
            follower = (await enqueueJob(trx, registry, 'test/do-work', { label: 'next' }, { now: clock.now() })).id;
            await helpers.complete(trx);
          });
      });
      const id = await enqueue(registry, 'first');
      const finished: string[] = [];
      const w = worker(registry, { onJobFinished: (info) => finished.push(info.state) });
      expect(await w.runOnce()).toBe(1);
      expect(await load(id)).toMatchObject({ state: 'succeeded', locked_by: null, finished_at: clock.now() });
      expect((await load(follower)).state).toBe('queued');
      expect(finished).toEqual(['succeeded']);
    });

    it("does not complete a job whose lease was lost: the handler's transaction rolls back with its work", async () => {
      const started = deferred();
      const release = deferred();
      let calls = 0;
      let completeError: unknown;
      const registry = registryWith(async (payload, helpers) => {
        if (payload.label !== 'first') return;
        calls++;
        if (calls > 1) throw new Error('second worker failed');
        started.resolve();
        await release.promise;
        try {
          await db()
            .kysely.transaction()
            .execute(async (trx) => {
              await enqueueJob(trx, registry, 'test/do-work', { label: 'lost' }, { now: clock.now() });
              await helpers.complete(trx);
            });
        } catch (err) {
          completeError = err;
          throw err;
        }
      });
      const id = await enqueue(registry, 'first');
      const firstRun = worker(registry, { workerId: 'w-first' }).runOnce();
      await started.promise;
      clock.advance(testJobsConfig().leaseMs + 1);
      expect(await worker(registry, { workerId: 'w-second' }).runOnce()).toBe(1);
      release.resolve();
      await firstRun;
      expect(completeError).toBeInstanceOf(JobLeaseLostError);
      const job = await load(id);
      expect(job).toMatchObject({ state: 'retry', attempts: 2, locked_by: null, finished_at: null });
      expect(job.last_error).toContain('second worker failed');
      const lost = await db().kysely.selectFrom('jobs').select('id').where('payload', 'like', '%lost%').execute();
      expect(lost).toEqual([]);
    });

    it('sends an expired lease with no attempts left to dead instead of running it', async () => {
      const started = deferred();
      const release = deferred();
      const registry = registryWith(async () => {
        started.resolve();
        await release.promise;
      }, 1);
      const id = await enqueue(registry);
      const firstRun = worker(registry).runOnce();
      await started.promise;
      clock.advance(testJobsConfig().leaseMs + 1);
      expect(await worker(registry).runOnce()).toBe(0);
      expect(await load(id)).toMatchObject({ state: 'dead', last_error: 'lease expired (worker crashed?)' });
      release.resolve();
      await firstRun;
      expect((await load(id)).state).toBe('dead');
    });

    it('aborts the handler when the heartbeat finds the lease taken', async () => {
      let signal: AbortSignal | undefined;
      const registry = registryWith(async (_p, h) => {
        signal = h.signal;
        await whenAborted(h.signal);
      });
      const id = await enqueue(registry);
      const w = createWorker({
        db: db(),
        registry,
        config: testJobsConfig({ leaseMs: 150 }),
        logger: silentLogger,
        clock,
      });
      const run = w.runOnce();
      await waitFor('handler start', () => signal !== undefined);
      await db().kysely.updateTable('jobs').set({ locked_by: 'another-worker' }).where('id', '=', id).execute();
      await waitFor('abort on lease loss', () => signal?.aborted === true);
      await run;
      expect(await load(id)).toMatchObject({ state: 'running', locked_by: 'another-worker' });
    });

    it('on stop, waits for running jobs up to the timeout', async () => {
      const started = deferred();
      const release = deferred();
      const registry = registryWith(async () => {
        started.resolve();
        await release.promise;
      });
      const id = await enqueue(registry);
      const w = createWorker({
        db: db(),
        registry,
        config: testJobsConfig({ shutdownTimeoutMs: 20_000 }),
        logger: silentLogger,
        clock,
      });
      const run = w.runOnce();
      await started.promise;
      const stopped = w.stop();
      release.resolve();
      await stopped;
      await run;
      expect((await load(id)).state).toBe('succeeded');
      expect(await w.runOnce()).toBe(0);
    });

    it('on stop timeout, aborts running jobs and releases them without counting the attempt', async () => {
      let signal: AbortSignal | undefined;
      const registry = registryWith(async (_p, h) => {
        signal = h.signal;
        await whenAborted(h.signal);
        throw new Error('aborted');
      });
      const id = await enqueue(registry);
      const w = createWorker({
        db: db(),
        registry,
        config: testJobsConfig({ shutdownTimeoutMs: 50 }),
        logger: silentLogger,
        clock,
      });
      const run = w.runOnce();
      await waitFor('handler start', () => signal !== undefined);
      await w.stop();
      expect(signal?.aborted).toBe(true);
      await run;
      expect(await load(id)).toMatchObject({
        state: 'queued',
        attempts: 0,
        locked_by: null,
        locked_until: null,
        last_error: null,
      });
    });

    it('polls when started and runs every job enqueued later', async () => {
      const done = new Set<string>();
      const registry = registryWith(async (p) => {
        done.add(p.label);
      });
      const w = createWorker({
        db: db(),
        registry,
        config: testJobsConfig({ concurrency: 3 }),
        logger: silentLogger,
        clock,
      });
      w.start();
      for (let i = 0; i < 20; i++) await enqueue(registry, `job-${i}`);
      w.notify();
      await waitFor('20 jobs', () => done.size === 20, { attempts: 800 });
      await w.stop();
      const states = await db().kysely.selectFrom('jobs').select('state').execute();
      expect(states.every((s) => s.state === 'succeeded')).toBe(true);
    });
  });
}
