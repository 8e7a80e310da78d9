import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrg } from '../../src/modules/orgs/index.js';
import { loginAs, seedUser } from '../auth/console-kit.js';
import { buildTestApp, makeUscc, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { blueRequest, get, post, waitForStatus } from '../invoicing/invoicing-kit.js';
import { createScanSetting, orderBody, pushOrder, SCAN_ENV } from '../scan/scan-kit.js';

interface Period {
  count: number;
  amount: string;
  tax: string;
  total: string;
  redCount: number;
  redTotal: string;
  byKind: {
    kind: string;
    kindName: string;
    isRed: boolean;
    count: number;
    amount: string;
    tax: string;
    total: string;
  }[];
}

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: GET /api/v1/dashboard`, () => {
    let t: TestApp;
    let a: SeededTenant;
    let b: SeededTenant;

    const issue = async (who: SeededTenant, overrides: Record<string, unknown> = {}) => {
      const req = blueRequest(who, overrides);
      const res = await post(t, who, '/api/v1/invoices?wait=10', req);
      expect(res.statusCode, res.body).toBe(200);
      return req.serialNo;
    };

    beforeAll(async () => {
      t = await buildTestApp(dialect, SCAN_ENV, undefined, { worker: true });
      a = await seedTenant(t, 'A');
      b = await seedTenant(t, 'B');
      // Yesterday (2025-05-31 China time): one 82 of 2 190.00 (2 000.00 + 190.00).
      t.clock.advance(-24 * 3600_000);
      await issue(a);
      t.clock.advance(24 * 3600_000);
      // Today (2025-06-01 10:00 China time): two 82 and one 81, and a full red of one 82.
      const blue = await issue(a);
      await issue(a);
      await issue(a, { kind: '81' });
      const red = await post(t, a, `/api/v1/invoices/${blue}/red?wait=10`, { redSerialNo: `R${blue}`, reason: '01' });
      expect(red.statusCode, red.body).toBe(200);
      // A failure waiting for a person.
      await t.app.inject({
        method: 'PUT',
        url: '/api/v1/sandbox/settings',
        headers: a.auth,
        payload: {
          rules: [{ when: { buyerNameContains: '错误抬头' }, fail: 'permanent', code: 'BUYER_NAME_REJECTED' }],
        },
      });
      const failed = blueRequest(a, { buyer: { name: '错误抬头有限公司', taxId: '91110000600037341L' } });
      await post(t, a, '/api/v1/invoices', failed);
      await waitForStatus(t, a, failed.serialNo, (s) => s === 'failed');
      // Scan orders: one open, one withdrawn.
      const setting = await createScanSetting(t, a);
      await pushOrder(t, a, orderBody(setting.key));
      const withdrawn = await pushOrder(t, a, orderBody(setting.key));
      await post(t, a, `/api/v1/scan/orders/${withdrawn.orderNo}/withdraw`);
      // Tenant B issues too: never counted for A.
      await issue(b);
    });
    afterAll(async () => t?.close());

    it('the pool filters by serial number, origin and business system (console list filters)', async () => {
      const all = (await get(t, a, '/api/v1/invoices?limit=200')).json<{
        items: { serialNo: string; origin: string }[];
      }>();
      const sn = all.items[0]!.serialNo;
      const one = (await get(t, a, `/api/v1/invoices?serialNo=${sn}`)).json<{ items: { serialNo: string }[] }>();
      expect(one.items.map((i) => i.serialNo)).toEqual([sn]);
      const direct = (await get(t, a, '/api/v1/invoices?origin=direct&limit=200')).json<{ items: unknown[] }>();
      expect(direct.items).toHaveLength(all.items.length);
      const scan = (await get(t, a, '/api/v1/invoices?origin=scan_order')).json<{ items: unknown[] }>();
      expect(scan.items).toEqual([]);
      const bs = (await get(t, a, '/api/v1/invoices?businessSystemCode=NOPE')).json<{ items: unknown[] }>();
      expect(bs.items).toEqual([]);
      expect((await get(t, a, '/api/v1/invoices?origin=other')).statusCode).toBe(400);
    });

    it('searches tax codes by code prefix and by name (the issue form)', async () => {
      const byName = (await get(t, a, `/api/v1/tax-codes?q=${encodeURIComponent('餐饮')}`)).json<{
        items: { code: string }[];
      }>();
      expect(byName.items.map((i) => i.code)).toContain('3070401000000000000');
      const byCode = (await get(t, a, '/api/v1/tax-codes?q=30704&limit=1')).json<{ items: { code: string }[] }>();
      expect(byCode.items).toHaveLength(1);
      expect(byCode.items[0]!.code.startsWith('30704')).toBe(true);
      expect((await get(t, a, '/api/v1/tax-codes?q=zzzz')).json()).toEqual({ items: [] });
    });

    it('needs authentication', async () => {
      const res = await t.app.inject({ url: '/api/v1/dashboard' });
      expect(res.statusCode).toBe(401);
    });

    it('sums today and this month by 票种 in exact decimal strings, red separately', async () => {
      const res = await get(t, a, '/api/v1/dashboard');
      expect(res.statusCode, res.body).toBe(200);
      const d = res.json<{ asOf: string; today: Period & { date: string }; month: Period & { month: string } }>();
      expect(d.asOf).toBe('2025-06-01T10:00:00.000+08:00');
      expect(d.today).toMatchObject({
        date: '2025-06-01',
        count: 3,
        amount: '6000.00',
        tax: '570.00',
        total: '6570.00',
        redCount: 1,
        redTotal: '-2190.00',
      });
      expect(d.today.byKind).toEqual([
        {
          kind: '81',
          kindName: expect.any(String),
          isRed: false,
          count: 1,
          amount: '2000.00',
          tax: '190.00',
          total: '2190.00',
        },
        {
          kind: '82',
          kindName: expect.any(String),
          isRed: false,
          count: 2,
          amount: '4000.00',
          tax: '380.00',
          total: '4380.00',
        },
        {
          kind: '82',
          kindName: expect.any(String),
          isRed: true,
          count: 1,
          amount: '-2000.00',
          tax: '-190.00',
          total: '-2190.00',
        },
      ]);
      // 2025-05-31 is in May: the month (June) holds today's only.
      expect(d.month).toMatchObject({ month: '2025-06', count: 3, total: '6570.00', redCount: 1 });
    });

    it('gives a 30-day trend ending today, with yesterday and today filled', async () => {
      const d = (await get(t, a, '/api/v1/dashboard')).json<{
        trend: { date: string; count: number; total: string }[];
      }>();
      expect(d.trend).toHaveLength(30);
      expect(d.trend[0]!.date).toBe('2025-05-03');
      expect(d.trend.at(-1)).toEqual({ date: '2025-06-01', count: 4, total: '4380.00' });
      expect(d.trend.at(-2)).toEqual({ date: '2025-05-31', count: 1, total: '2190.00' });
      expect(d.trend.slice(0, 28).every((p) => p.count === 0 && p.total === '0.00')).toBe(true);
    });

    it('counts failures, quota, dead deliveries and scan orders of the tenant only', async () => {
      const d = (await get(t, a, '/api/v1/dashboard')).json<Record<string, unknown>>();
      expect(d.failures).toEqual({ count: 1, byCode: [{ code: expect.any(String), count: 1 }] });
      expect(d.statuses).toMatchObject({ failed: 1, redPending: 0 });
      expect(d.quota).toEqual([
        expect.objectContaining({ sellerTaxId: a.sellerTaxId, month: '2025-06', used: expect.any(String) }),
      ]);
      expect(d.deadDeliveries).toBe(0);
      expect(d.scanOrders).toEqual(
        expect.arrayContaining([
          { status: 'open', count: 1 },
          { status: 'withdrawn', count: 1 },
          { status: 'invoiced', count: 0 },
        ]),
      );
      const other = (await get(t, b, '/api/v1/dashboard')).json<{ today: Period; failures: { count: number } }>();
      expect(other.today).toMatchObject({ count: 1, total: '2190.00', redCount: 0 });
      expect(other.failures.count).toBe(0);
    });

    it('shows a clerk only their seller orgs, and no webhook deliveries without integrations.read', async () => {
      const otherSeller = makeUscc('91310115MA1K4Q9R8');
      await createOrg({ db: t.runtime.deps.db.kysely, clock: t.clock }, a.tenantId, {
        taxId: otherSeller,
        name: 'A 第二销方有限公司',
      });
      const admin = await loginAs(t, await seedUser(t, a.tenantId, 'admin'));
      const all = (await t.app.inject({ url: '/api/v1/dashboard', headers: admin.read })).json<
        Record<string, unknown>
      >();
      expect(all).toMatchObject({ today: { count: 3 }, deadDeliveries: 0, failures: { count: 1 } });
      expect(all.quota).toHaveLength(2);

      const mine = await loginAs(t, await seedUser(t, a.tenantId, 'clerk', { orgTaxIds: [a.sellerTaxId] }));
      const scoped = (await t.app.inject({ url: '/api/v1/dashboard', headers: mine.read })).json<
        Record<string, unknown>
      >();
      expect(scoped).toMatchObject({
        today: { count: 3, total: '6570.00' },
        failures: { count: 1 },
        deadDeliveries: null,
      });
      expect((scoped.quota as { sellerTaxId: string }[]).map((q) => q.sellerTaxId)).toEqual([a.sellerTaxId]);

      const other = await loginAs(t, await seedUser(t, a.tenantId, 'clerk', { orgTaxIds: [otherSeller] }));
      const res = await t.app.inject({ url: '/api/v1/dashboard', headers: other.read });
      expect(res.statusCode).toBe(200);
      const d = res.json<{
        today: Period;
        month: Period;
        trend: { count: number }[];
        failures: { count: number };
        quota: { sellerTaxId: string }[];
        scanOrders: { status: string; count: number }[];
      }>();
      expect(d.today).toMatchObject({ count: 0, total: '0.00', redCount: 0, byKind: [] });
      expect(d.month.count).toBe(0);
      expect(d.trend.every((p) => p.count === 0)).toBe(true);
      expect(d.failures.count).toBe(0);
      expect(d.quota.map((q) => q.sellerTaxId)).toEqual([otherSeller]);
      expect(d.scanOrders.every((o) => o.count === 0)).toBe(true);

      const employee = await loginAs(t, await seedUser(t, a.tenantId, 'employee'));
      expect((await t.app.inject({ url: '/api/v1/dashboard', headers: employee.read })).statusCode).toBe(403);
    });
  });
}
