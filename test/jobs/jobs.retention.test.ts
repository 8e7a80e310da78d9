import { describe, expect, it } from 'vitest';
import { cancelJob, getJob, PermanentJobError } from '../../src/platform/jobs/index.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { registryWith, testJobsConfig, useWorkerFixture } from './jobs-test-kit.js';

const DAY = 86_400_000;

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: job retention`, () => {
    const { clock, db, worker, enqueue, load } = useWorkerFixture(dialect);
    const registry = registryWith(async (p) => {
      if (p.label === 'broken') throw new PermanentJobError('cannot work');
    });

    it('deletes succeeded and cancelled jobs once they finished longer ago than JOB_RETENTION_DAYS, keeps the rest', async () => {
      const done = await enqueue(registry, 'ok');
      const dead = await enqueue(registry, 'broken');
      expect(await worker(registry).runOnce()).toBe(2);
      const cancelled = await enqueue(registry, 'never');
      await cancelJob(db().kysely, { tenantId: null, id: cancelled, now: clock.now() });
      expect((await load(done)).state).toBe('succeeded');
      expect((await load(dead)).state).toBe('dead');

      // Six days later nothing is old enough; a job finishing then is younger than the others.
      clock.advance(6 * DAY);
      const recent = await enqueue(registry, 'ok');
      expect(await worker(registry).runOnce()).toBe(1);
      const later = await enqueue(registry, 'later', { priority: 0 });
      expect(await db().kysely.selectFrom('jobs').select('id').execute()).toHaveLength(5);

      // Past 7 days for the first ones only: the sweep before the next claim purges them.
      clock.advance(DAY + 1000);
      expect(await worker(registry).runOnce()).toBe(1);
      const left = await db().kysely.selectFrom('jobs').select(['id', 'state']).execute();
      expect(new Map(left.map((j) => [j.id, j.state]))).toEqual(
        new Map([
          [dead, 'dead'],
          [recent, 'succeeded'],
          [later, 'succeeded'],
        ]),
      );
      expect(await getJob(db().kysely, { tenantId: null, id: done })).toBeNull();
    });

    it('purges at most once a minute while it keeps up, at every sweep while a full batch of 500 comes back', async () => {
      const w = worker(registry);
      /** `count` jobs that finished eight days ago (past the 7 days' retention). */
      const finishedLongAgo = async (count: number) => {
        const at = clock.now() - 8 * DAY;
        await db()
          .kysely.insertInto('jobs')
          .values(
            Array.from({ length: count }, (_, i) => ({
              id: `job_old_${clock.now()}_${i}`,
              tenant_id: null,
              task: 'test/do-work',
              payload: '{"label":"old"}',
              state: 'succeeded' as const,
              job_key: null,
              priority: 0,
              run_at: at,
              attempts: 1,
              max_attempts: 1,
              last_error: null,
              locked_by: null,
              locked_until: null,
              created_at: at,
              updated_at: at,
              finished_at: at,
            })),
          )
          .execute();
      };
      const left = async () => (await db().kysely.selectFrom('jobs').select('id').execute()).length;
      // Behind: the first sweep deletes a full batch of 500, so the next sweep (a second later) purges again.
      await finishedLongAgo(800);
      await w.runOnce();
      expect(await left()).toBe(300);
      clock.advance(1000);
      await w.runOnce();
      expect(await left()).toBe(0);
      // Kept up (that batch was short): the sweeps within the minute purge nothing, the first after it does.
      await finishedLongAgo(10);
      clock.advance(2000);
      await w.runOnce();
      expect(await left()).toBe(10);
      clock.advance(58_000);
      await w.runOnce();
      expect(await left()).toBe(0);
    });

    it('keeps every job when retention is 0', async () => {
      const id = await enqueue(registry, 'ok');
      await worker(registry).runOnce();
      clock.advance(400 * DAY);
      await worker(registry, { config: testJobsConfig({ retentionMs: 0 }) }).runOnce();
      expect((await load(id)).state).toBe('succeeded');
    });
  });
}
