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

    it('keeps every job when retention is 0', async () => {
      const id = await enqueue(registry, 'ok');
      await worker(registry).runOnce();
      clock.advance(400 * DAY);
      await worker(registry, { config: testJobsConfig({ retentionMs: 0 }) }).runOnce();
      expect((await load(id)).state).toBe('succeeded');
    });
  });
}
