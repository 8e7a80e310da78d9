import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/app.js';
import type { DomainEvent } from '../../src/platform/events.js';
import { buildTestApp, errorOf, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
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
  describe.skipIf(dialect.skip)(`${dialect.name}: scan settings and orders API`, () => {
    let t: TestApp;
    let a: SeededTenant;
    let b: SeededTenant;
    let key: string;
    const published: DomainEvent[] = [];

    beforeAll(async () => {
      t = await buildTestApp(dialect, SCAN_ENV, (_app, runtime) => recordEvents(runtime, published), { worker: true });
      a = await seedTenant(t, 'A');
      b = await seedTenant(t, 'B');
      key = (await createScanSetting(t, a)).key;
    });
    afterAll(async () => t?.close());

    it('creates, reads, updates settings; the secret is shown on create and rotation only', async () => {
      const created = await createScanSetting(t, a, { name: '一号店', scanType: 'title_only', allowedKinds: ['82'] });
      expect(created).toMatchObject({ name: '一号店', scanType: 'title_only', allowedKinds: ['82'], enabled: true });
      expect(created.secret).toMatch(/^[0-9A-Za-z]{33}$/);
      const read = await get(t, a, `/api/v1/scan/settings/${created.key}`);
      expect(read.json()).not.toHaveProperty('secret');
      const patched = await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/scan/settings/${created.key}`,
        headers: a.auth,
        payload: { validityDays: 7, enabled: false },
      });
      expect(patched.json()).toMatchObject({ validityDays: 7, enabled: false });
      const rotated = (await post(t, a, `/api/v1/scan/settings/${created.key}/rotate-secret`)).json();
      expect(rotated.secret).not.toBe(created.secret);
      const list = (await get(t, a, '/api/v1/scan/settings')).json();
      expect(list.items.map((s: { key: string }) => s.key)).toContain(created.key);
    });

    it('answers an order with a short unguessable link, and is idempotent by orderNo', async () => {
      const body = orderBody(key);
      const first = await pushOrder(t, a, body);
      expect(first).toMatchObject({ orderNo: body.orderNo, status: 'open' });
      expect(first.token).toMatch(/^[0-9A-Za-z]{17}$/);
      expect(first.url).toBe(`${t.config.http.publicUrl}/s/${first.token}`);
      const again = await post(t, a, '/api/v1/scan/orders', body);
      expect(again.statusCode).toBe(200);
      expect(again.json().url).toBe(first.url);
      const changed = await post(t, a, '/api/v1/scan/orders', { ...body, remark: '别的内容' });
      expect(errorOf(changed).code).toBe('IDEMPOTENCY_CONFLICT');
      const png = await t.app.inject({ method: 'GET', url: `/s/${first.token}/qr.png` });
      expect(png.headers['content-type']).toBe('image/png');
      const svg = await t.app.inject({ method: 'GET', url: `/s/${first.token}/qr.svg` });
      expect(svg.body).toContain('<svg');
    });

    it('validates orders with the tax rules and the allowed kinds', async () => {
      const kind = await post(t, a, '/api/v1/scan/orders', orderBody(key, { invoiceKind: '026' }));
      expect(kind.statusCode).toBe(422);
      expect(errorOf(kind).code).toBe('KIND_NOT_ALLOWED');
      const bad = await post(
        t,
        a,
        '/api/v1/scan/orders',
        orderBody(key, {
          lines: [{ name: '工作餐', taxCode: '3070401000000000000', amount: '100.00', taxRate: '0.07' }],
        }),
      );
      expect(bad.statusCode).toBe(422);
      expect(errorOf(bad).details?.violations).toBeDefined();
    });

    it('withdraws an open order once, and refuses after the consumer submitted', async () => {
      const open = await pushOrder(t, a, orderBody(key));
      const w = await post(t, a, `/api/v1/scan/orders/${open.orderNo}/withdraw`);
      expect(w.json().status).toBe('withdrawn');
      const page = await t.app.inject({ method: 'GET', url: `/s/${open.token}` });
      expect(page.statusCode).toBe(410);
      expect(page.body).toContain('订单已撤回');
      const submitted = await pushOrder(t, a, orderBody(key));
      await consumer(t).submit(`/s/${submitted.token}`, { ...COMPANY_TITLE, kind: '82' });
      const refused = await post(t, a, `/api/v1/scan/orders/${submitted.orderNo}/withdraw`);
      expect(refused.statusCode).toBe(409);
      expect(errorOf(refused).code).toBe('ORDER_ALREADY_SUBMITTED');
    });

    it('keeps title_only orders for the merchant to issue, and publishes order events', async () => {
      expect((await post(t, a, '/api/v1/business-systems', { code: 'POS1', name: '门店一' })).statusCode).toBe(201);
      const s = await createScanSetting(t, a, { scanType: 'title_only', businessSystemCode: 'POS1' });
      const order = await pushOrder(t, a, orderBody(s.key, { notify: { email: 'n@example.com' } }));
      await consumer(t).submit(`/s/${order.token}`, { ...COMPANY_TITLE, kind: '81' });
      const page = await t.app.inject({ method: 'GET', url: `/s/${order.token}` });
      expect(page.body).toContain('已提交，等待商家开票');
      const early = await post(t, a, `/api/v1/scan/orders/${(await pushOrder(t, a, orderBody(s.key))).orderNo}/issue`);
      expect(errorOf(early).code).toBe('ORDER_NOT_SUBMITTED');
      const issued = await post(t, a, `/api/v1/scan/orders/${order.orderNo}/issue`);
      expect(issued.json().status).toBe('invoicing');
      const done = await waitForOrder(t, a, order.orderNo, (st) => st === 'invoiced');
      expect(done).toMatchObject({
        buyer: { name: COMPANY_TITLE.name, taxId: COMPANY_TITLE.taxId, kind: '81', buyerType: 'company' },
        invoices: [{ serialNo: `S-${order.orderNo}`, status: 'issued', number: expect.stringMatching(/^\d{20}$/) }],
      });
      const events = published.filter((e) => e.data?.orderNo === order.orderNo);
      expect(events.map((e) => e.type)).toEqual(['order.submitted', 'order.invoiced']);
      expect(events[1]!.data).toMatchObject({
        businessSystemCode: 'POS1',
        invoices: [{ serialNo: `S-${order.orderNo}`, status: 'issued' }],
      });
    });

    it('turns fifty concurrent submits of one order into one title and one invoice', async () => {
      const order = await pushOrder(t, a, orderBody(key));
      const path = `/s/${order.token}`;
      // Fifty consumers with the form open (each opened it before anyone submitted: one who opens it after a
      // submit sees the order's status, no form), then all submit at once.
      const forms = await Promise.all(Array.from({ length: 50 }, () => consumer(t).prepare(path)));
      const answers = await Promise.all(
        forms.map((send, i) => send({ ...COMPANY_TITLE, name: `并发测试${i}有限公司`, kind: '82' })),
      );
      expect(answers.map((r) => r.statusCode).filter((c) => c !== 303)).toEqual([]);
      const done = await waitForOrder(t, a, order.orderNo, (s) => s === 'invoiced');
      const db = t.runtime.deps.db.kysely;
      const invoices = await db
        .selectFrom('invoices')
        .select(['serial_no', 'buyer_name', 'origin'])
        .where('tenant_id', '=', a.tenantId)
        .where('serial_no', '=', `S-${order.orderNo}`)
        .execute();
      expect(invoices).toHaveLength(1);
      expect(invoices[0]!.origin).toBe('scan_order');
      expect(invoices[0]!.buyer_name).toBe((done.buyer as { name: string }).name);
    });

    it('isolates tenants: another tenant sees 404 for settings and orders', async () => {
      const order = await pushOrder(t, a, orderBody(key));
      expect((await get(t, b, `/api/v1/scan/orders/${order.orderNo}`)).statusCode).toBe(404);
      expect((await get(t, b, `/api/v1/scan/settings/${key}`)).statusCode).toBe(404);
      const foreign = await post(t, b, '/api/v1/scan/orders', orderBody(key));
      expect(errorOf(foreign).code).toBe('SCAN_SETTING_NOT_FOUND');
      expect((await post(t, b, `/api/v1/scan/orders/${order.orderNo}/withdraw`)).statusCode).toBe(404);
    });

    it('shows an expired order as expired, in the API and on the page', async () => {
      const order = await pushOrder(t, a, orderBody(key, { expiresAt: '2025-06-01T10:30:00+08:00' }));
      t.clock.advance(3600_000);
      try {
        expect((await get(t, a, `/api/v1/scan/orders/${order.orderNo}`)).json().status).toBe('expired');
        const page = await t.app.inject({ method: 'GET', url: `/s/${order.token}` });
        expect(page.statusCode).toBe(410);
        expect(page.body).toContain('二维码已过期');
      } finally {
        t.clock.advance(-3600_000);
      }
    });

    it('answers unknown and malformed tokens with the invalid-link page', async () => {
      for (const path of ['/s/AAAAAAAAAAAAAAAAA', '/s/short', '/s/%3Cscript%3E']) {
        const res = await t.app.inject({ method: 'GET', url: path });
        expect(res.statusCode).toBe(400);
        expect(res.body).toContain('二维码无效');
        expect(res.body).not.toContain('<script>');
      }
    });
  });
}

/** Records every published domain event (the delivery fan-out may not subscribe to order events). */
function recordEvents(runtime: Runtime, into: DomainEvent[]): void {
  const events = runtime.deps.events;
  const publish = events.publish.bind(events);
  events.publish = async (db, input) => {
    const event = await publish(db, input);
    into.push(event);
    return event;
  };
}
