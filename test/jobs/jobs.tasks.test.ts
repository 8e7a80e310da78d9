import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { IsSchema } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type Runtime } from '../../src/app.js';
import { createManualClock } from '../../src/platform/clock.js';
import { loadConfig } from '../../src/platform/config/load-config.js';
import { createWorker, defineTask, enqueueJob } from '../../src/platform/jobs/index.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { doWorkTask, registryOf, testJobsConfig, useWorkerFixture } from './jobs-test-kit.js';

/** The app's real task registry (every module's tasks), on a throw-away SQLite database. */
describe('the app’s tasks', () => {
  let runtime: Runtime;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openfapiao-tasks-'));
    const config = loadConfig({ LOG_LEVEL: 'silent', DEMO_SEED: 'false', DATA_DIR: dataDir });
    runtime = await createRuntime(config, {
      clock: createManualClock('2025-06-01T02:00:00Z'),
      logger: pino({ level: 'silent' }),
    });
  });
  afterAll(async () => {
    await runtime?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('every registered task has a payload schema, and enqueue refuses a payload it rejects', async () => {
    const { registry } = runtime.deps.jobs;
    expect(registry.list().length).toBeGreaterThanOrEqual(11);
    for (const id of registry.list()) {
      const task = registry.get(id)!;
      expect(IsSchema(task.payload), id).toBe(true);
      expect(Number.isInteger(task.maxAttempts) && task.maxAttempts > 0, id).toBe(true);
      for (const bad of [null, {}, { unexpected: 1 }, 'text']) {
        expect(task.check(bad), `${id} accepts ${JSON.stringify(bad)}`).not.toBeNull();
        await expect(
          runtime.deps.jobs.enqueue(runtime.deps.db.kysely, id as 'documents/render-invoice', bad as never),
          id,
        ).rejects.toThrow(`invalid payload for task "${id}"`);
      }
    }
    expect(await runtime.deps.db.kysely.selectFrom('jobs').select('id').execute()).toEqual([]);
  });
});

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: payloads checked at claim`, () => {
    const { clock, db, worker, load } = useWorkerFixture(dialect);

    it('a stored payload its schema rejects sends the job to dead without running the handler or onDead', async () => {
      let ran = 0;
      let deadHooks = 0;
      const task = defineTask({
        ...doWorkTask(async () => {}),
        handler: async () => {
          ran++;
        },
        onDead: async () => {
          deadHooks++;
        },
      });
      const registry = registryOf(task);
      const { id } = await enqueueJob(db().kysely, registry, 'test/do-work', { label: 'a' }, { now: clock.now() });
      await db().kysely.updateTable('jobs').set({ payload: '{"label":42}' }).where('id', '=', id).execute();
      await worker(registry).runOnce();
      const job = await load(id);
      expect(job.state).toBe('dead');
      expect(job.last_error).toContain('invalid payload for task "test/do-work": /label must be string');
      expect({ ran, deadHooks }).toEqual({ ran: 0, deadHooks: 0 });
    });

    it('a valid payload still runs', async () => {
      const seen: string[] = [];
      const registry = registryOf(doWorkTask(async (p) => void seen.push(p.label)));
      await enqueueJob(db().kysely, registry, 'test/do-work', { label: 'ok' }, { now: clock.now() });
      await createWorker({
        db: db(),
        registry,
        config: testJobsConfig(),
        logger: pino({ level: 'silent' }),
        clock,
      }).runOnce();
      expect(seen).toEqual(['ok']);
    });
  });
}
