import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/platform/clock.js';
import type { Db } from '../../src/platform/db/create-db.js';
import { createEventBus, type DomainEvent, EventTaskPayload } from '../../src/platform/events.js';
import { createTaskRegistry, defineTask } from '../../src/platform/jobs/index.js';
import { createJobsRuntime } from '../../src/platform/jobs-runtime.js';
import { createTestDb, TEST_DIALECTS } from '../helpers/test-db.js';

declare module '../../src/platform/jobs/index.js' {
  interface TaskPayloads {
    'test/on-event': { event: DomainEvent };
  }
}

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: event bus`, () => {
    let db: Db;
    let cleanup: () => Promise<void>;
    const clock = createManualClock('2025-06-01T00:00:00Z');
    const registry = createTaskRegistry();
    registry.register(undefined, [
      defineTask({
        id: 'test/on-event',
        payload: EventTaskPayload,
        maxAttempts: 1,
        handler: async () => {},
      }),
    ]);
    const bus = createEventBus({ jobs: createJobsRuntime({ registry, clock, dialect: dialect.name }), clock });
    bus.subscribe(['thing.happened'], 'test/on-event');

    beforeAll(async () => {
      ({ db, cleanup } = await createTestDb(dialect));
    });
    afterAll(async () => cleanup?.());

    const jobsFor = () => db.kysely.selectFrom('jobs').selectAll().where('task', '=', 'test/on-event').execute();

    it('enqueues one job per subscriber in the publishing transaction', async () => {
      const event = await db.kysely
        .transaction()
        .execute((trx) =>
          bus.publish(trx, { type: 'thing.happened', tenantId: 't1', subjectId: 's1', key: 'k1', data: { n: 1 } }),
        );
      const jobs = await jobsFor();
      expect(jobs).toHaveLength(1);
      expect(JSON.parse(jobs[0]!.payload)).toEqual({ event: JSON.parse(JSON.stringify(event)) });
      expect(jobs[0]!.tenant_id).toBe('t1');
    });

    it('publishes nothing when the transaction rolls back, and once per key', async () => {
      await expect(
        db.kysely.transaction().execute(async (trx) => {
          await bus.publish(trx, { type: 'thing.happened', tenantId: 't1', subjectId: 's2', key: 'k2' });
          throw new Error('rollback');
        }),
      ).rejects.toThrow('rollback');
      expect(await jobsFor()).toHaveLength(1);
      await db.kysely
        .transaction()
        .execute((trx) => bus.publish(trx, { type: 'thing.happened', tenantId: 't1', subjectId: 's1', key: 'k1' }));
      expect(await jobsFor()).toHaveLength(1);
      await db.kysely
        .transaction()
        .execute((trx) => bus.publish(trx, { type: 'other.thing', tenantId: 't1', subjectId: 's1', key: 'k9' }));
      expect(await jobsFor()).toHaveLength(1);
    });
  });
}
