import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/platform/clock.js';
import {
  cancelJob,
  countJobsByState,
  createWorker,
  enqueueJob,
  getJob,
  listJobs,
  retryJob,
} from '../../src/platform/jobs/index.js';
import { createTestDb, TEST_DIALECTS } from '../helpers/test-db.js';
import { doWorkTask, registryOf, silentLogger, testJobsConfig } from './jobs-test-kit.js';

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: job admin helpers`, () => {
    let t: Awaited<ReturnType<typeof createTestDb>>;
    const clock = createManualClock('2025-03-01T00:00:00Z');
    let failing = true;
    const registry = registryOf(
      doWorkTask(async () => {
        if (failing) throw new Error('boom');
      }),
    );
    beforeAll(async () => {
      t = await createTestDb(dialect);
    });
    afterAll(async () => {
      await t?.cleanup();
    });
    beforeEach(async () => {
      failing = true;
      await t.db.kysely.deleteFrom('jobs').execute();
    });

    const enqueue = async (tenantId: string | null, label: string, maxAttempts?: number) =>
      (
        await enqueueJob(
          t.db.kysely,
          registry,
          'test/do-work',
          { label },
          { now: clock.now(), tenantId, ...(maxAttempts ? { maxAttempts } : {}) },
        )
      ).id;
    const worker = () => createWorker({ db: t.db, registry, config: testJobsConfig(), logger: silentLogger, clock });

    it('lists jobs newest first, scoped to the tenant, with cursor pagination', async () => {
      const a = [await enqueue('tnt_a', 'a1'), await enqueue('tnt_a', 'a2'), await enqueue('tnt_a', 'a3')];
      await enqueue('tnt_b', 'b1');
      await enqueue(null, 'system');
      const page1 = await listJobs(t.db.kysely, { tenantId: 'tnt_a', limit: 2 });
      expect(page1.items.map((j) => j.id)).toEqual([a[2], a[1]]);
      expect(page1.nextCursor).toBe(a[1]);
      const page2 = await listJobs(t.db.kysely, { tenantId: 'tnt_a', limit: 2, cursor: page1.nextCursor });
      expect(page2).toEqual({ items: [expect.objectContaining({ id: a[0] })], nextCursor: null });
      expect((await listJobs(t.db.kysely, { tenantId: 'tnt_b', limit: 50 })).items).toHaveLength(1);
      expect((await listJobs(t.db.kysely, { tenantId: null, limit: 50 })).items).toHaveLength(5);
      expect((await listJobs(t.db.kysely, { tenantId: null, limit: 50, state: 'dead' })).items).toHaveLength(0);
      expect((await listJobs(t.db.kysely, { tenantId: null, limit: 50, task: 'test/do-work' })).items).toHaveLength(5);
    });

    it('hides another tenant’s job from getJob', async () => {
      const id = await enqueue('tnt_a', 'a');
      expect(await getJob(t.db.kysely, { tenantId: 'tnt_b', id })).toBeNull();
      expect(await getJob(t.db.kysely, { tenantId: 'tnt_a', id })).toMatchObject({ id });
      expect(await getJob(t.db.kysely, { tenantId: null, id })).toMatchObject({ id });
    });

    it('retries a dead job once more, only within its tenant', async () => {
      const id = await enqueue('tnt_a', 'a', 1);
      await worker().runOnce();
      expect(await getJob(t.db.kysely, { tenantId: null, id })).toMatchObject({ state: 'dead', attempts: 1 });
      clock.advance(60_000);
      expect(await retryJob(t.db.kysely, { tenantId: 'tnt_b', id, now: clock.now() })).toBeNull();
      const retried = await retryJob(t.db.kysely, { tenantId: 'tnt_a', id, now: clock.now() });
      expect(retried).toMatchObject({
        state: 'queued',
        run_at: clock.now(),
        attempts: 1,
        max_attempts: 2,
        finished_at: null,
      });
      failing = false;
      expect(await worker().runOnce()).toBe(1);
      expect(await getJob(t.db.kysely, { tenantId: null, id })).toMatchObject({ state: 'succeeded', attempts: 2 });
    });

    it('refuses to retry queued, running or succeeded jobs', async () => {
      const queued = await enqueue(null, 'q');
      expect(await retryJob(t.db.kysely, { tenantId: null, id: queued, now: clock.now() })).toBeNull();
      failing = false;
      await worker().runOnce();
      expect(await retryJob(t.db.kysely, { tenantId: null, id: queued, now: clock.now() })).toBeNull();
      expect(await retryJob(t.db.kysely, { tenantId: null, id: 'job_missing', now: clock.now() })).toBeNull();
    });

    it('cancels a queued job, which can then be retried', async () => {
      const id = await enqueue('tnt_a', 'a');
      expect(await cancelJob(t.db.kysely, { tenantId: 'tnt_b', id, now: clock.now() })).toBeNull();
      expect(await cancelJob(t.db.kysely, { tenantId: 'tnt_a', id, now: clock.now() })).toMatchObject({
        state: 'cancelled',
      });
      expect(await worker().runOnce()).toBe(0);
      expect(await retryJob(t.db.kysely, { tenantId: 'tnt_a', id, now: clock.now() })).toMatchObject({
        state: 'queued',
      });
    });

    it('counts jobs in every state', async () => {
      await enqueue(null, 'x', 1);
      await enqueue(null, 'y');
      await enqueue(null, 'z');
      const w = createWorker({
        db: t.db,
        registry,
        config: testJobsConfig({ concurrency: 2 }),
        logger: silentLogger,
        clock,
      });
      await w.runOnce();
      expect(await countJobsByState(t.db.kysely)).toEqual({
        queued: 1,
        running: 0,
        retry: 1,
        succeeded: 0,
        dead: 1,
        cancelled: 0,
      });
    });
  });
}
