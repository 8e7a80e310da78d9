import { sql } from 'kysely';
import { Type } from 'typebox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createTaskRegistry,
  defineTask,
  enqueueJob,
  enqueueJobAfter,
  getJob,
  type TaskRegistry,
} from '../../src/platform/jobs/index.js';
import { createTestDb, TEST_DIALECTS } from '../helpers/test-db.js';
import { doWorkTask, registryOf, TEST_TASK_ATTEMPTS } from './jobs-test-kit.js';

const NOW = Date.parse('2025-03-01T00:00:00Z');

const checkAmountTask = defineTask({
  id: 'test/check-amount',
  payload: Type.Object({ amount: Type.Number() }),
  maxAttempts: TEST_TASK_ATTEMPTS,
  jobKey: (payload) => `n${payload.amount}`,
  handler: async () => {},
});

function makeRegistry(): TaskRegistry {
  return registryOf(
    doWorkTask(async () => {}, 7),
    checkAmountTask,
  );
}

describe('createTaskRegistry', () => {
  it('rejects malformed and duplicate task ids', () => {
    const registry = registryOf(doWorkTask(async () => {}));
    expect(() => registry.register(undefined, [doWorkTask(async () => {})])).toThrow(/already defined/);
    expect(() => registry.register(undefined, [{ ...checkAmountTask, id: 'Bad Name' }])).toThrow(/module\/verb-noun/);
    expect(registry.list()).toEqual(['test/do-work']);
  });
});

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: enqueueJob`, () => {
    let t: Awaited<ReturnType<typeof createTestDb>>;
    const registry = makeRegistry();
    beforeAll(async () => {
      t = await createTestDb(dialect);
    });
    afterAll(async () => {
      await t?.cleanup();
    });
    beforeEach(async () => {
      await t.db.kysely.deleteFrom('jobs').execute();
    });

    it.skipIf(dialect.name !== 'postgres')(
      'enqueueJobAfter: one job per row of the preceding CTE, none without, checked and keyed like enqueueJob',
      async () => {
        const run = (rows: number, frag: ReturnType<typeof enqueueJobAfter>) =>
          sql<{
            id: string;
          }>`with src as (select generate_series(1, ${rows}::int) as n), job as ${frag} select id from job`
            .execute(t.db.kysely)
            .then((r) => r.rows);
        const after = (label: string) =>
          enqueueJobAfter(registry, 'test/do-work', { label }, { now: NOW, tenantId: 'tnt_1', after: 'src' });
        expect(await run(0, after('none'))).toEqual([]);
        const [one] = await run(1, after('one'));
        expect(await getJob(t.db.kysely, { tenantId: null, id: one!.id })).toMatchObject({
          task: 'test/do-work',
          tenant_id: 'tnt_1',
          payload: '{"label":"one"}',
          state: 'queued',
          attempts: 0,
          max_attempts: 7,
          run_at: NOW,
          created_at: NOW,
          updated_at: NOW,
        });
        const keyed = () => enqueueJobAfter(registry, 'test/check-amount', { amount: 3 }, { now: NOW, after: 'src' });
        expect(await run(1, keyed())).toHaveLength(1);
        expect(await run(1, keyed())).toEqual([]);
        expect(() =>
          enqueueJobAfter(registry, 'test/check-amount', { amount: 'x' } as never, { now: NOW, after: 'src' }),
        ).toThrow(/invalid payload/);
        const count = await t.db.kysely
          .selectFrom('jobs')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirst();
        expect(Number(count?.n)).toBe(2);
      },
    );

    it('stores a queued job with the task defaults', async () => {
      const { id, created } = await enqueueJob(
        t.db.kysely,
        registry,
        'test/do-work',
        { label: 'a' },
        { now: NOW, tenantId: 'tnt_1' },
      );
      expect(created).toBe(true);
      const job = await getJob(t.db.kysely, { tenantId: null, id });
      expect(job).toMatchObject({
        state: 'queued',
        task: 'test/do-work',
        tenant_id: 'tnt_1',
        run_at: NOW,
        attempts: 0,
        max_attempts: 7,
      });
      expect(JSON.parse(job?.payload ?? '')).toEqual({ label: 'a' });
    });

    it('commits and rolls back with the caller transaction', async () => {
      await expect(
        t.db.kysely.transaction().execute(async (trx) => {
          await enqueueJob(trx, registry, 'test/do-work', { label: 'rolled back' }, { now: NOW });
          throw new Error('business rule failed');
        }),
      ).rejects.toThrow('business rule failed');
      expect(await t.db.kysely.selectFrom('jobs').selectAll().execute()).toHaveLength(0);
      await t.db.kysely
        .transaction()
        .execute((trx) => enqueueJob(trx, registry, 'test/do-work', { label: 'kept' }, { now: NOW }));
      expect(await t.db.kysely.selectFrom('jobs').selectAll().execute()).toHaveLength(1);
    });

    it('returns the existing job for a known job key, whatever its state', async () => {
      const opts = { now: NOW, key: 'deliver:1' };
      const first = await enqueueJob(t.db.kysely, registry, 'test/do-work', { label: 'a' }, opts);
      await t.db.kysely.updateTable('jobs').set({ state: 'succeeded' }).execute();
      const second = await enqueueJob(t.db.kysely, registry, 'test/do-work', { label: 'b' }, opts);
      expect(second).toEqual({ id: first.id, created: false });
      expect(await t.db.kysely.selectFrom('jobs').selectAll().execute()).toHaveLength(1);
    });

    it('creates one job when many transactions enqueue the same key at once', async () => {
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          t.db.kysely
            .transaction()
            .execute((trx) => enqueueJob(trx, registry, 'test/do-work', { label: `n${i}` }, { now: NOW, key: 'same' })),
        ),
      );
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.id)).size).toBe(1);
      expect(await t.db.kysely.selectFrom('jobs').selectAll().execute()).toHaveLength(1);
    });

    it('throws a plain Error for an unknown task or an invalid payload', async () => {
      await expect(
        enqueueJob(t.db.kysely, createTaskRegistry(), 'test/do-work', { label: 'x' }, { now: NOW }),
      ).rejects.toThrow(/unknown task "test\/do-work"/);
      await expect(
        enqueueJob(t.db.kysely, registry, 'test/check-amount', { amount: 'ten' } as unknown as { amount: number }, {
          now: NOW,
        }),
      ).rejects.toThrow(/invalid payload for task "test\/check-amount": \/amount must be number/);
    });
  });
}
