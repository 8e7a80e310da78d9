/**
 * `GET /api/v1/scan/orders/{orderNo}?since=S&wait=N` (#15 §3 review): every state change of an order signals its
 * waiting requests, so they wake at once rather than at their safety re-read; and a waiting request's connection
 * outlives a short HTTP_CONNECTION_TIMEOUT_MS (platform/http/waiting-requests.ts, shared by every `?wait` route).
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORDER_CHANGED_TOPIC, ORDER_SETTLED_TOPIC } from '../../src/modules/scan/wait-for-order.js';
import { createWorker } from '../../src/platform/jobs/index.js';
import { listen } from '../assistant/push-kit.js';
import { spySubscriptions } from '../helpers/signals.js';
import { buildTestApp, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { COMPANY_TITLE, consumer, createScanSetting, get, orderBody, post, pushOrder, SCAN_ENV } from './scan-kit.js';

/**
 * Spies on the order signals of `t` (settled, changed): which order ids reached a waiting request's subscription
 * (`delivered`), and a promise for the next subscription to an order (`nextSubscription(id)`: a `?wait` now waits).
 * An order's signals ride the transaction of the change (signals.withTransaction, or folded into its statement),
 * never a `publish` after the commit: such a publish is lost when the process dies between the commit and it (here
 * it always fails, so a change signalled that way never reaches a waiting request).
 */
function spyOrderSignals(t: TestApp) {
  const signals = t.runtime.deps.signals;
  const publish = signals.publish.bind(signals);
  signals.publish = async (topic, key, payload) => {
    if (topic === ORDER_CHANGED_TOPIC || topic === ORDER_SETTLED_TOPIC) {
      throw new Error(`${topic} published after the commit`);
    }
    return publish(topic, key, payload);
  };
  return spySubscriptions(signals, [ORDER_SETTLED_TOPIC, ORDER_CHANGED_TOPIC]);
}

const orderId = async (t: TestApp, orderNo: string) =>
  (
    await t.runtime.deps.db.kysely
      .selectFrom('scan_orders')
      .select('id')
      .where('order_no', '=', orderNo)
      .executeTakeFirstOrThrow()
  ).id;

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: a scan order's waiting requests`, () => {
    let t: TestApp;
    let a: SeededTenant;
    let spy: ReturnType<typeof spyOrderSignals>;
    let issueKey: string;
    let titleKey: string;

    beforeAll(async () => {
      // No worker: an order stays where the test moves it (the issue job does not run).
      t = await buildTestApp(dialect, SCAN_ENV);
      a = await seedTenant(t, 'wait');
      spy = spyOrderSignals(t);
      issueKey = (await createScanSetting(t, a)).key;
      titleKey = (await createScanSetting(t, a, { scanType: 'title_only' })).key;
    }, 240_000);
    afterAll(async () => t?.close());

    /** Starts `GET …?since=S&wait=20` and resolves once it waits on the order's signal. */
    const waitingOn = async (orderNo: string, since: string) => {
      const id = await orderId(t, orderNo);
      const waits = spy.nextSubscription(id);
      const answer = get(t, a, `/api/v1/scan/orders/${orderNo}?since=${since}&wait=20`);
      await waits;
      return { id, answer };
    };

    it("the consumer's submission wakes a waiting request with the order's signal", async () => {
      const order = await pushOrder(t, a, orderBody(issueKey));
      const { id, answer } = await waitingOn(order.orderNo, 'open');
      const path = new URL(order.url).pathname;
      expect((await consumer(t).submit(path, { ...COMPANY_TITLE, kind: '82' })).statusCode).toBe(303);
      const res = await answer;
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ orderNo: order.orderNo, status: 'submitted' });
      expect(spy.delivered).toContain(id);
    });

    it('a withdrawal wakes a waiting request with the signal', async () => {
      const order = await pushOrder(t, a, orderBody(issueKey));
      const { id, answer } = await waitingOn(order.orderNo, 'open');
      expect((await post(t, a, `/api/v1/scan/orders/${order.orderNo}/withdraw`)).statusCode).toBe(200);
      expect((await answer).json()).toMatchObject({ status: 'withdrawn' });
      expect(spy.delivered).toContain(id);
    });

    it("the merchant's issue (submitted → invoicing) wakes a waiting request with the signal", async () => {
      const order = await pushOrder(t, a, orderBody(titleKey));
      const path = new URL(order.url).pathname;
      expect((await consumer(t).submit(path, { ...COMPANY_TITLE, kind: '82' })).statusCode).toBe(303);
      const { id, answer } = await waitingOn(order.orderNo, 'submitted');
      const before = spy.delivered.filter((k) => k === id).length;
      expect((await post(t, a, `/api/v1/scan/orders/${order.orderNo}/issue`)).statusCode).toBe(200);
      expect((await answer).json()).toMatchObject({ status: 'invoicing' });
      expect(spy.delivered.filter((k) => k === id).length).toBeGreaterThan(before);
    });

    it('an invoice that fails (invoicing → failed) wakes a waiting request with the settled signal', async () => {
      const worker = createWorker({
        db: t.runtime.deps.db,
        registry: t.runtime.deps.jobs.registry,
        config: { ...t.config.jobs, concurrency: 1 },
        logger: t.runtime.deps.logger,
        clock: t.clock,
        backoff: () => 0,
      });
      const rules = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/sandbox/settings',
        headers: a.auth,
        // Only this order's invoice (the earlier tests' orders have jobs waiting too).
        payload: {
          rules: [{ when: { operation: 'issue', amountGreaterThan: '5000.00' }, fail: 'permanent', times: 1 }],
        },
      });
      expect(rules.statusCode, rules.body).toBe(200);
      const body = orderBody(titleKey);
      const order = await pushOrder(t, a, { ...body, lines: [{ ...body.lines[0], amount: '8000.00' }] });
      const path = new URL(order.url).pathname;
      expect((await consumer(t).submit(path, { ...COMPANY_TITLE, kind: '82' })).statusCode).toBe(303);
      expect((await post(t, a, `/api/v1/scan/orders/${order.orderNo}/issue`)).statusCode).toBe(200);
      const { id, answer } = await waitingOn(order.orderNo, 'invoicing');
      const before = spy.delivered.filter((k) => k === id).length;
      // The invoice's issue job fails on the platform; `invoice.failed` moves the order to failed.
      while ((await worker.runOnce()) > 0);
      expect((await answer).json()).toMatchObject({ status: 'failed' });
      expect(spy.delivered.filter((k) => k === id).length).toBeGreaterThan(before);
    });
  });

  describe.skipIf(dialect.skip)(`${dialect.name}: a waiting scan-order request and a short connection timeout`, () => {
    let t: TestApp;
    let base: string;
    let a: SeededTenant;

    beforeAll(async () => {
      t = await buildTestApp(dialect, { ...SCAN_ENV, HTTP_CONNECTION_TIMEOUT_MS: '500' });
      base = await listen(t);
      a = await seedTenant(t, 'idle');
    }, 240_000);
    afterAll(async () => t?.close());

    it('outlives HTTP_CONNECTION_TIMEOUT_MS while it waits, and answers at the end of its wait', async () => {
      const key = (await createScanSetting(t, a)).key;
      const order = await pushOrder(t, a, orderBody(key));
      // Silent for 2 s on a connection whose idle timeout is 0.5 s (four times over): the server must not hang up.
      const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.get(
          `${base}/api/v1/scan/orders/${order.orderNo}?since=open&wait=2`,
          { agent: false, headers: a.auth as Record<string, string> },
          (r) => {
            let body = '';
            r.on('data', (d) => {
              body += d;
            });
            r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
            r.on('error', reject);
          },
        );
        req.on('error', reject);
      });
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toMatchObject({ orderNo: order.orderNo, status: 'open' });
    });
  });
}
