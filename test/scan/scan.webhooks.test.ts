import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from '../../src/index.js';
import { up as migrateOrderLinkRefs } from '../../src/platform/db/migrations/0013-webhook-order-link-refs.js';
import { createReceiver, createSystem, type Receiver } from '../delivery/delivery-kit.js';
import { buildTestApp, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { waitForValue } from '../helpers/wait.js';
import {
  COMPANY_TITLE,
  consumer,
  createScanSetting,
  get,
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
      const types = await waitForValue('three webhooks', () => {
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
      const last = await waitForValue('order.withdrawn', () =>
        receiver.received.find((r) => r.headers['x-openfapiao-event'] === 'order.withdrawn'),
      );
      expect(JSON.parse(last.body).data).toMatchObject({ orderNo: withdrawn.orderNo, status: 'withdrawn' });
    });

    it('stores the order link in webhook_deliveries only as a reference; the receiver gets the link, signed', async () => {
      const b = await seedTenant(t, 'B');
      const system = await createSystem(t, b, {
        code: 'POS',
        name: '门店收银',
        callbackUrl: receiver.url,
        events: ['order.submitted'],
      });
      const { key } = await createScanSetting(t, b, { businessSystemCode: 'POS' });
      const order = await pushOrder(t, b, orderBody(key));
      expect(order.url).toContain(order.token);
      expect((await consumer(t).submit(new URL(order.url).pathname, { ...COMPANY_TITLE, kind: '82' })).statusCode).toBe(
        303,
      );
      const sent = await waitForValue('order.submitted of B', () =>
        receiver.received.find(
          (r) => r.headers['x-openfapiao-event'] === 'order.submitted' && r.body.includes(order.orderNo),
        ),
      );
      const data = JSON.parse(sent.body).data;
      expect(data).toMatchObject({
        orderNo: order.orderNo,
        url: order.url,
        qrPngUrl: `${order.url}/qr.png`,
        qrSvgUrl: `${order.url}/qr.svg`,
      });
      expect(
        verifyWebhookSignature(
          system.secret,
          String(sent.headers['x-openfapiao-timestamp']),
          sent.body,
          String(sent.headers['x-openfapiao-signature']),
          { now: t.clock.now() },
        ),
      ).toBe(true);

      const rows = await t.runtime.deps.db.kysely
        .selectFrom('webhook_deliveries')
        .select(['id', 'payload'])
        .where('tenant_id', '=', b.tenantId)
        .execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]?.payload).not.toContain(order.token);
      expect(JSON.parse(rows[0]?.payload ?? '{}').data).toMatchObject({
        url: '{order-link}',
        qrPngUrl: '{order-link}/qr.png',
        qrSvgUrl: '{order-link}/qr.svg',
      });
      // The API shows the exact body that was sent
      const detail = await get(t, b, `/api/v1/webhook-deliveries/${rows[0]?.id}`);
      expect(detail.json().payload).toBe(sent.body);

      // A row stored by an earlier version held the body as sent; migration 0013 puts the reference in its place
      const db = t.runtime.deps.db.kysely;
      await db.updateTable('webhook_deliveries').set({ payload: sent.body }).where('id', '=', rows[0]!.id).execute();
      await migrateOrderLinkRefs(db);
      const migrated = await db
        .selectFrom('webhook_deliveries')
        .select('payload')
        .where('id', '=', rows[0]!.id)
        .executeTakeFirstOrThrow();
      expect(migrated.payload).toBe(rows[0]?.payload);
      expect((await get(t, b, `/api/v1/webhook-deliveries/${rows[0]?.id}`)).json().payload).toBe(sent.body);
    });
  });
}
