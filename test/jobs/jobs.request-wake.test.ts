/**
 * A job a request queues starts at once, whatever the idle poll: the worker here is set up as `openfapiao serve` sets
 * it up (woken by `jobs.queued` on PostgreSQL, main.ts) but polls only once an hour, so only a wake-up can start a
 * job. Withdrawing an order and saving or deleting a bill queue a webhook's fan-out (their events) and never called
 * `deps.jobs.notify()`: on SQLite, which has no NOTIFY, the webhook waited for the next poll (500 ms by default).
 * The enqueue now wakes the worker itself (platform/jobs-runtime.ts), so no path can forget it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker, type Worker } from '../../src/platform/jobs/index.js';
import { createJobsRuntime, jobsQueuedWake } from '../../src/platform/jobs-runtime.js';
import { createReceiver, createSystem, type Receiver } from '../delivery/delivery-kit.js';
import { buildTestApp, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { waitFor, waitForValue } from '../helpers/wait.js';
import { createScanSetting, orderBody, post, pushOrder, SCAN_ENV } from '../scan/scan-kit.js';
import { registryWith, testJobsConfig, useWorkerFixture, watchClaims } from './jobs-test-kit.js';

/** Far above the test timeout: a job left to the poll fails the test ("gave up waiting"). */
const HOUR_MS = 3_600_000;

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: jobs queued by a request start without a poll`, () => {
    let t: TestApp;
    let a: SeededTenant;
    let receiver: Receiver;
    let worker: Worker;

    let orderNo: string;

    beforeAll(async () => {
      receiver = await createReceiver();
      t = await buildTestApp(dialect, { ...SCAN_ENV, OUTBOUND_ALLOWED_HOSTS: `127.0.0.1:${receiver.port}` });
      a = await seedTenant(t, 'A');
      // Set up before the worker starts: these audited calls schedule the audit sealer of the (manual, frozen) clock's
      // window, and a started worker would set a timer for it that wakes it a few seconds later — and runs whatever
      // waits, hiding a missing wake-up. Later audited calls in the window find the sealer there and set no timer.
      await createSystem(t, a, {
        code: 'POS',
        name: '门店收银',
        callbackUrl: receiver.url,
        events: ['order.withdrawn', 'bill.saved', 'bill.deleted'],
      });
      const { key } = await createScanSetting(t, a, { businessSystemCode: 'POS' });
      orderNo = (await pushOrder(t, a, orderBody(key))).orderNo;
      const watched = watchClaims(t.runtime.deps.db);
      worker = createWorker({
        db: watched.db,
        registry: t.runtime.deps.jobs.registry,
        config: { ...t.config.jobs, pollIntervalMs: HOUR_MS },
        logger: t.runtime.deps.logger,
        clock: t.clock,
        wake: jobsQueuedWake(t.runtime.deps.signals),
      });
      t.runtime.deps.jobs.attachWorker(worker);
      if (dialect.name === 'postgres') expect(await t.runtime.deps.signals.listening()).toBe(true);
      worker.start();
      // Its first poll (at start) is over before a test queues anything: that claim cannot take a test's job, which
      // only a wake-up can then start.
      await waitFor('the first claim answered', () => watched.counter.claimsAnswered >= 1);
    });
    afterAll(async () => {
      await worker?.stop();
      await t?.close();
      await receiver?.stop();
    });

    const call = (method: 'PUT' | 'DELETE', url: string, payload?: object) =>
      t.app.inject({ method, url, headers: a.auth, ...(payload ? { payload } : {}) });
    const webhook = (event: string, has: string) =>
      waitForValue(event, () =>
        receiver.received.find((r) => r.headers['x-openfapiao-event'] === event && r.body.includes(has)),
      );

    it('withdrawing an order sends order.withdrawn', async () => {
      expect((await post(t, a, `/api/v1/scan/orders/${orderNo}/withdraw`)).statusCode).toBe(200);
      const sent = await webhook('order.withdrawn', orderNo);
      expect(JSON.parse(sent.body).data).toMatchObject({ orderNo, status: 'withdrawn' });
    });

    it('saving and deleting a bill send bill.saved and bill.deleted', async () => {
      const saved = await call('PUT', '/api/v1/bills/POS/BX-wake', { billNo: 'BX-wake', status: 1, invoices: [] });
      expect(saved.statusCode).toBe(200);
      expect(JSON.parse((await webhook('bill.saved', 'BX-wake')).body).data).toMatchObject({ billId: 'BX-wake' });
      expect((await call('DELETE', '/api/v1/bills/POS/BX-wake')).statusCode).toBe(204);
      expect(JSON.parse((await webhook('bill.deleted', 'BX-wake')).body).data).toMatchObject({ billId: 'BX-wake' });
    });
  });
}

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: a due job wakes the local worker by itself`, () => {
    const { db, clock, worker } = useWorkerFixture(dialect);

    async function started() {
      const ran: string[] = [];
      const registry = registryWith(async (p) => {
        ran.push(p.label);
      });
      const watched = watchClaims(db());
      const w = worker(registry, { db: watched.db, config: testJobsConfig({ pollIntervalMs: HOUR_MS }) });
      const runtime = createJobsRuntime({ registry, clock, dialect: dialect.name });
      runtime.attachWorker(w);
      w.start();
      // Its first poll (at start) is over before the test queues anything.
      await waitFor('the first claim answered', () => watched.counter.claimsAnswered >= 1);
      return { ran, w, runtime };
    }

    it('an autocommitted enqueue: the job runs, nobody calling notify()', async () => {
      const { ran, w, runtime } = await started();
      try {
        await runtime.enqueue(db().kysely, 'test/do-work', { label: 'alone' });
        await waitFor('the job', () => ran.length === 1);
        expect(ran).toEqual(['alone']);
      } finally {
        await w.stop();
      }
    });

    it.skipIf(dialect.name !== 'sqlite')(
      'SQLite, inside a transaction that goes on after the enqueue: the job runs once it committed',
      async () => {
        const { ran, w, runtime } = await started();
        try {
          await db()
            .kysely.transaction()
            .execute(async (trx) => {
              await runtime.enqueue(trx, 'test/do-work', { label: 'in-trx' });
              // The wake-up's claim is asked for now, while the transaction holds the connection: it waits for the
              // commit (a claim before it would find nothing, and the job would wait for the hour's poll).
              await new Promise((r) => setTimeout(r, 50));
              expect(ran).toEqual([]);
            });
          await waitFor('the job', () => ran.length === 1);
          expect(ran).toEqual(['in-trx']);
        } finally {
          await w.stop();
        }
      },
    );
  });
}
