import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReceiver, createSystem, type Receiver, waitFor } from '../delivery/delivery-kit.js';
import { buildTestApp, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import {
  COMPANY_TITLE,
  consumer,
  createScanSetting,
  orderBody,
  post,
  pushOrder,
  SCAN_ENV,
  waitForOrder,
} from './scan-kit.js';

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: scan-to-invoice webhooks (按单 and 按票)`, () => {
    let t: TestApp;
    let a: SeededTenant;
    let receiver: Receiver;

    beforeAll(async () => {
      receiver = await createReceiver();
      t = await buildTestApp(
        dialect,
        { ...SCAN_ENV, OUTBOUND_ALLOWED_HOSTS: `127.0.0.1:${receiver.port}` },
        undefined,
        { worker: true },
      );
      a = await seedTenant(t, 'A');
    });
    afterAll(async () => {
      await t?.close();
      await receiver?.stop();
    });

    it('tells the business system about the submitted title, the invoice and the invoiced order', async () => {
      await createSystem(t, a, {
        code: 'POS',
        name: '门店收银',
        callbackUrl: receiver.url,
        events: ['order.submitted', 'order.invoiced', 'order.withdrawn', 'invoice.issued'],
      });
      const { key } = await createScanSetting(t, a, { businessSystemCode: 'POS' });
      const order = await pushOrder(t, a, orderBody(key));
      const path = new URL(order.url).pathname;
      expect((await consumer(t).submit(path, { ...COMPANY_TITLE, kind: '82' })).statusCode).toBe(303);
      await waitForOrder(t, a, order.orderNo, (s) => s === 'invoiced');
      const types = await waitFor('three webhooks', () => {
        const got = receiver.received.map((r) => r.headers['x-openfapiao-event']);
        return got.length >= 3 ? got : undefined;
      });
      expect([...types].sort()).toEqual(['invoice.issued', 'order.invoiced', 'order.submitted']);
      const invoiced = JSON.parse(
        receiver.received.find((r) => r.headers['x-openfapiao-event'] === 'order.invoiced')!.body,
      );
      expect(invoiced).toMatchObject({ type: 'order.invoiced', version: 1, data: { orderNo: order.orderNo } });
      expect(JSON.stringify(invoiced.data)).toMatch(/\d{20}/);

      const withdrawn = await pushOrder(t, a, orderBody(key));
      expect((await post(t, a, `/api/v1/scan/orders/${withdrawn.orderNo}/withdraw`)).statusCode).toBe(200);
      const last = await waitFor('order.withdrawn', () =>
        receiver.received.find((r) => r.headers['x-openfapiao-event'] === 'order.withdrawn'),
      );
      expect(JSON.parse(last.body).data).toMatchObject({ orderNo: withdrawn.orderNo, status: 'withdrawn' });
    });
  });
}
