import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker, enqueueJob } from '../../src/platform/jobs/index.js';
import { buildTestApp, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { doWorkTask, testJobsConfig } from './jobs-test-kit.js';

/** A pino logger whose JSON lines land in `lines`. */
function capturingLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: job errors in the API`, () => {
    let t: TestApp;
    let a: SeededTenant;
    const log = capturingLogger();

    beforeAll(async () => {
      t = await buildTestApp(
        dialect,
        {},
        (_app, runtime) => {
          runtime.deps.jobs.registry.register(undefined, [
            doWorkTask(async () => {
              throw new Error("cannot open '/srv/openfapiao/data/blobs/ab/cd.bin' for reading");
            }, 1),
          ]);
        },
        { logger: log.logger },
      );
      a = await seedTenant(t, 'A');
    });
    afterAll(async () => t?.close());

    it('shows a failed job’s error name and message without stack frames or server paths; the log has the stack', async () => {
      const { deps } = t.runtime;
      const { id } = await enqueueJob(
        deps.db.kysely,
        deps.jobs.registry,
        'test/do-work',
        { label: 'x' },
        { now: t.clock.now(), tenantId: a.tenantId },
      );
      const worker = createWorker({
        db: deps.db,
        registry: deps.jobs.registry,
        config: testJobsConfig(),
        logger: deps.logger,
        clock: t.clock,
      });
      expect(await worker.runOnce()).toBe(1);

      const res = await t.app.inject({ url: '/api/v1/jobs?state=dead', headers: a.auth });
      expect(res.statusCode).toBe(200);
      const job = (res.json().items as { id: string; lastError: string }[]).find((j) => j.id === id);
      expect(job?.lastError).toBe("Error: cannot open '…' for reading");

      const stored = await deps.db.kysely
        .selectFrom('jobs')
        .select('last_error')
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      expect(stored.last_error).not.toMatch(/\bat /);
      expect(stored.last_error).not.toContain(process.cwd());

      const failed = log.lines.map((l) => JSON.parse(l)).find((l) => l.jobId === id && l.level >= 50);
      expect(failed?.err?.stack).toContain('jobs.errors.api.test.ts');
    });

    it('strips the stack frames a row written by an older version still holds', async () => {
      const now = t.clock.now();
      await t.runtime.deps.db.kysely
        .insertInto('jobs')
        .values({
          id: 'job_test_old_stack',
          tenant_id: a.tenantId,
          task: 'test/do-work',
          payload: '{"label":"old"}',
          state: 'dead',
          job_key: null,
          run_at: now,
          max_attempts: 1,
          attempts: 1,
          last_error:
            'TypeError: x is not a function\n    at run (/opt/openfapiao/dist/modules/x.js:10:5)\n    at file:///opt/openfapiao/dist/y.js:3:1',
          locked_by: null,
          locked_until: null,
          created_at: now,
          updated_at: now,
          finished_at: now,
        })
        .execute();
      const res = await t.app.inject({ url: '/api/v1/jobs?state=dead', headers: a.auth });
      const job = (res.json().items as { id: string; lastError: string }[]).find((j) => j.id === 'job_test_old_stack');
      expect(job?.lastError).toBe('TypeError: x is not a function');
    });
  });
}
