import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrg } from '../../src/modules/orgs/index.js';
import { type ConsoleSession, loginAs, seedUser } from '../auth/console-kit.js';
import { buildTestApp, errorOf, makeUscc, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { CATERING, get, post } from '../invoicing/invoicing-kit.js';
import { COMPANY_TITLE, consumer, SCAN_ENV } from '../scan/scan-kit.js';

interface OrderView {
  orderNo: string;
  status: string;
  source: string;
  total: string;
  items: { name: string; amount: string }[];
  invoices: { status: string; number: string | null }[];
}

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: 码上开票 API`, () => {
    let t: TestApp;
    let a: SeededTenant;
    let b: SeededTenant;
    let clerk: ConsoleSession;
    let otherOrg: string;

    beforeAll(async () => {
      t = await buildTestApp(dialect, SCAN_ENV, undefined, { worker: true });
      a = await seedTenant(t, 'A');
      b = await seedTenant(t, 'B');
      otherOrg = makeUscc('91310115MA1K4Q9XX');
      await createOrg({ db: t.runtime.deps.db.kysely, clock: t.clock }, a.tenantId, {
        taxId: otherOrg,
        name: 'A 分店',
      });
      clerk = await loginAs(t, await seedUser(t, a.tenantId, 'clerk', { orgTaxIds: [a.sellerTaxId] }));
    });
    afterAll(async () => t?.close());

    const sale = (overrides: Record<string, unknown> = {}) => ({
      sellerTaxId: a.sellerTaxId,
      allowedKinds: ['82', '81'],
      lines: [
        {
          name: '牛肉面',
          taxCode: CATERING,
          quantity: '2',
          unitPrice: '28',
          amount: '56.00',
          taxRate: '0.06',
          priceIncludesTax: true,
        },
        { name: '可乐', taxCode: CATERING, amount: '6.00', taxRate: '0.06', priceIncludesTax: true },
      ],
      ...overrides,
    });
    const clerkPost = (url: string, payload?: object) =>
      t.app.inject({ method: 'POST', url, headers: clerk.write, ...(payload ? { payload } : {}) });
    const clerkGet = (url: string) => t.app.inject({ url, headers: clerk.read });
    const tokenOf = (url: string) => new URL(url).pathname.split('/').pop()!;

    it('creates a one-time counter order, follows it live through scan and issue, and records its source', async () => {
      const res = await clerkPost('/api/v1/counter/orders', sale());
      expect(res.statusCode, res.body).toBe(201);
      const created = res.json<{
        orderNo: string;
        url: string;
        qrSvgUrl: string;
        total: string;
        status: string;
        expiresAt: string;
      }>();
      expect(created).toMatchObject({ status: 'open', total: '62.00', sellerName: 'A 销方有限公司' });
      expect(created.orderNo).toMatch(/^CT\d{6}[0-9A-Z]{10}$/);
      expect(created.url).toMatch(/\/s\/[A-Za-z0-9]+$/);
      // Valid for the default day.
      expect(Date.parse(created.expiresAt) - t.clock.now()).toBe(1440 * 60_000);

      const first = (await clerkGet(`/api/v1/scan/orders/${created.orderNo}`)).json<OrderView>();
      expect(first).toMatchObject({ status: 'open', source: 'counter', total: '62.00' });
      expect(first.items.map((i) => i.name)).toEqual(['*餐饮服务*牛肉面', '*餐饮服务*可乐']);

      // The clerk's screen waits while the QR is unscanned; the consumer's submission wakes it.
      const waiting = clerkGet(`/api/v1/scan/orders/${created.orderNo}?since=open&wait=20`);
      await new Promise((r) => setTimeout(r, 50));
      const page = await t.app.inject({ url: `/s/${tokenOf(created.url)}` });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('62.00');
      const submitted = await consumer(t).submit(`/s/${tokenOf(created.url)}`, { ...COMPANY_TITLE, kind: '82' });
      expect(submitted.statusCode).toBe(303);
      const woken = (await waiting).json<OrderView>();
      expect(woken.status).not.toBe('open');

      // Each long poll answers the next status, until it is issued.
      const seen = [woken.status];
      let current = woken;
      while (current.status !== 'invoiced' && current.status !== 'failed' && seen.length < 10) {
        current = (
          await clerkGet(`/api/v1/scan/orders/${created.orderNo}?since=${current.status}&wait=20`)
        ).json<OrderView>();
        expect(current.status).not.toBe(seen.at(-1));
        seen.push(current.status);
      }
      expect(seen.at(-1)).toBe('invoiced');
      expect(current.invoices[0]).toMatchObject({ status: 'issued', number: expect.stringMatching(/^\d{20}$/) });

      // The order's scan setting was made once for the org and is shown in its counter settings.
      const settings = (await clerkGet(`/api/v1/counter/settings?sellerTaxId=${a.sellerTaxId}`)).json();
      expect(settings.scanSettingKey).toEqual(expect.any(String));
      const second = (await clerkPost('/api/v1/counter/orders', sale())).json<{ orderNo: string }>();
      const view = (await clerkGet(`/api/v1/scan/orders/${second.orderNo}`)).json<{ settingKey: string }>();
      expect(view.settingKey).toBe(settings.scanSettingKey);
    });

    it('withdraws an unscanned QR: the waiting screen sees it and the link is refused', async () => {
      const created = (await clerkPost('/api/v1/counter/orders', sale())).json<{ orderNo: string; url: string }>();
      const waiting = clerkGet(`/api/v1/scan/orders/${created.orderNo}?since=open&wait=20`);
      await new Promise((r) => setTimeout(r, 50));
      const withdrawn = await clerkPost(`/api/v1/scan/orders/${created.orderNo}/withdraw`);
      expect(withdrawn.statusCode).toBe(200);
      expect((await waiting).json<OrderView>().status).toBe('withdrawn');
      const page = await t.app.inject({ url: `/s/${tokenOf(created.url)}` });
      expect(page.statusCode).toBe(410);
      // The withdrawn page has no form: a post is refused and the order stays withdrawn.
      const submit = await consumer(t).submit(`/s/${tokenOf(created.url)}`, { ...COMPANY_TITLE, kind: '82' });
      expect(submit.statusCode).toBeGreaterThanOrEqual(400);
      expect((await clerkGet(`/api/v1/scan/orders/${created.orderNo}`)).json<OrderView>().status).toBe('withdrawn');
    });

    it('answers at once when the status already moved on, and after the wait when nothing changed', async () => {
      const created = (await clerkPost('/api/v1/counter/orders', sale())).json<{ orderNo: string }>();
      const moved = await clerkGet(`/api/v1/scan/orders/${created.orderNo}?since=invoiced&wait=20`);
      expect(moved.json<OrderView>().status).toBe('open');
      const unchanged = await clerkGet(`/api/v1/scan/orders/${created.orderNo}?since=open&wait=1`);
      expect(unchanged.json<OrderView>().status).toBe('open');
      expect((await clerkGet(`/api/v1/scan/orders/${created.orderNo}?wait=21`)).statusCode).toBe(400);
    });

    it('checks the lines by the tax rules and the kinds offered', async () => {
      const badRate = await clerkPost(
        '/api/v1/counter/orders',
        sale({ lines: [{ name: '面', taxCode: CATERING, amount: '10.00', taxRate: '0.07' }] }),
      );
      expect(badRate.statusCode).toBe(422);
      const badKind = await clerkPost('/api/v1/counter/orders', sale({ allowedKinds: ['004'] }));
      expect(badKind.statusCode).toBe(400);
    });

    it('saves the receipt settings per org', async () => {
      const defaults = (await clerkGet(`/api/v1/counter/settings?sellerTaxId=${a.sellerTaxId}`)).json();
      expect(defaults).toMatchObject({ qrValidityMinutes: 1440, receipt: { paper: '80', fields: { qr: true } } });
      const receipt = {
        paper: '58',
        header: '欢迎光临 静安店',
        footer: '谢谢惠顾',
        fields: { seller: true, items: false, amount: true, qr: true, expiry: false, orderNo: true },
      };
      const saved = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/counter/settings',
        headers: clerk.write,
        payload: { sellerTaxId: a.sellerTaxId, qrValidityMinutes: 30, receipt },
      });
      expect(saved.statusCode, saved.body).toBe(200);
      expect((await clerkGet(`/api/v1/counter/settings?sellerTaxId=${a.sellerTaxId}`)).json()).toMatchObject({
        qrValidityMinutes: 30,
        receipt,
      });
      const created = (await clerkPost('/api/v1/counter/orders', sale())).json<{ expiresAt: string }>();
      expect(Date.parse(created.expiresAt) - t.clock.now()).toBe(30 * 60_000);
      const tooLong = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/counter/settings',
        headers: clerk.write,
        payload: {
          sellerTaxId: a.sellerTaxId,
          qrValidityMinutes: 30,
          receipt: { ...receipt, header: 'x'.repeat(101) },
        },
      });
      expect(tooLong.statusCode).toBe(400);
    });

    it('scopes a clerk to their orgs and walls tenants off', async () => {
      const refused = await clerkPost('/api/v1/counter/orders', sale({ sellerTaxId: otherOrg }));
      expect(refused.statusCode).toBe(403);
      expect(errorOf(refused).code).toBe('ORG_NOT_ASSIGNED');
      expect(errorOf(await clerkGet(`/api/v1/counter/settings?sellerTaxId=${otherOrg}`)).code).toBe('ORG_NOT_ASSIGNED');

      const created = (await clerkPost('/api/v1/counter/orders', sale())).json<{ orderNo: string }>();
      expect((await get(t, b, `/api/v1/scan/orders/${created.orderNo}?since=open&wait=1`)).statusCode).toBe(404);
      expect((await post(t, b, `/api/v1/scan/orders/${created.orderNo}/withdraw`)).statusCode).toBe(404);
      // Tenant B cannot sell under A's seller.
      const foreign = await post(t, b, '/api/v1/counter/orders', sale());
      expect(errorOf(foreign).code).toBe('SELLER_NOT_FOUND');
      expect(errorOf(await get(t, b, `/api/v1/counter/settings?sellerTaxId=${a.sellerTaxId}`)).code).toBe(
        'SELLER_NOT_FOUND',
      );
    });
  });
}
