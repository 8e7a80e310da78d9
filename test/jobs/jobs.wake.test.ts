/**
 * Claims woken by NOTIFY, not by polling (issue #12): on PostgreSQL node A (no worker) queues an invoice's issue job,
 * and the worker on node B — whose idle poll is an hour, so only a wake-up can start it — claims and runs it, woken by
 * the `jobs.queued` notification the `jobs` insert itself sends (migration 0025). A job inserted already claimed
 * (direct dispatch) notifies nobody.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker, type Worker } from '../../src/platform/jobs/index.js';
import { JOBS_QUEUED_TOPIC, jobsQueuedWake } from '../../src/platform/jobs-runtime.js';
import { nextSignals } from '../helpers/signals.js';
import { buildTestApp, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { waitFor } from '../helpers/wait.js';
import { blueRequest, get, post } from '../invoicing/invoicing-kit.js';
import { watchClaims } from './jobs-test-kit.js';

const postgres = TEST_DIALECTS.find((d) => d.name === 'postgres');

describe.skipIf(!postgres || postgres.skip)('postgres: workers wake on NOTIFY (issue #12)', () => {
  let a: TestApp;
  let b: TestApp;
  let tenant: SeededTenant;
  let worker: Worker;
  let claimsOnB = 0;

  beforeAll(async () => {
    const dialect = postgres as NonNullable<typeof postgres>;
    a = await buildTestApp(dialect);
    b = await buildTestApp(dialect, {}, undefined, { sameDatabaseAs: a });
    tenant = await seedTenant(a, 'wake');
    const watched = watchClaims(b.runtime.deps.db);
    worker = createWorker({
      db: watched.db,
      registry: b.runtime.deps.jobs.registry,
      config: { ...b.config.jobs, pollIntervalMs: 3_600_000 },
      logger: b.runtime.deps.logger,
      clock: b.clock,
      wake: jobsQueuedWake(b.runtime.deps.signals),
      onJobFinished: () => {
        claimsOnB++;
      },
    });
    b.runtime.deps.jobs.attachWorker(worker);
    expect(await b.runtime.deps.signals.listening()).toBe(true);
    expect(await a.runtime.deps.signals.listening()).toBe(true);
    worker.start();
    // Its first poll (at start) is over before the test queues anything: that claim cannot take the test's job, which
    // only a wake-up can then start.
    await waitFor('the first claim answered', () => watched.counter.claimsAnswered >= 1);
  });
  afterAll(async () => {
    await worker?.stop();
    await b?.close();
    await a?.close();
  });

  it('runs a job queued on another node within moments, its idle poll being an hour away', async () => {
    const heard = nextSignals(b.runtime.deps.signals, JOBS_QUEUED_TOPIC);
    const body = blueRequest(tenant);
    const res = await post(a, tenant, '/api/v1/invoices', body);
    expect(res.statusCode).toBe(202);
    expect((await heard)[0]?.key).toBe('any');
    let status = '';
    for (let i = 0; i < 250 && status !== 'issued'; i++) {
      await new Promise((r) => setTimeout(r, 20));
      status = (await get(a, tenant, `/api/v1/invoices/${body.serialNo}`)).json<{ status: string }>().status;
    }
    expect(status).toBe('issued');
    // B's worker ran it: its completion is counted once the job's transaction committed and B's worker returned,
    // which node A can see the invoice issued before (a loaded machine once did).
    await expect.poll(() => claimsOnB, { timeout: 5_000 }).toBeGreaterThan(0);
  });

  it('sends no notification for a job inserted already claimed (direct dispatch)', async () => {
    const received: string[] = [];
    const stop = b.runtime.deps.signals.subscribe(JOBS_QUEUED_TOPIC, 'any', (s) => received.push(s.key));
    try {
      // On node B the issue job goes straight to B's worker (a free slot): inserted running, no NOTIFY.
      const res = await post(b, tenant, '/api/v1/invoices?wait=10', blueRequest(tenant));
      expect(res.json<{ status: string }>().status).toBe('issued');
      await new Promise((r) => setTimeout(r, 200));
      expect(received).toEqual([]);
    } finally {
      stop();
    }
  });
});
