import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signScanLink } from '../../src/index.js';
import { createOrg } from '../../src/modules/orgs/index.js';
import { bindSandboxSeller } from '../../src/sandbox-binding.js';
import { buildTestApp, makeUscc, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { CATERING } from '../invoicing/invoicing-kit.js';
import { startMerchant } from './merchant-server.js';
import { COMPANY_TITLE, consumer, createScanSetting, nextOrderNo, post, SCAN_ENV, waitForOrder } from './scan-kit.js';

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: merchant-signed links and the order query`, () => {
    let t: TestApp;
    let a: SeededTenant;
    let merchant: Awaited<ReturnType<typeof startMerchant>>;
    let setting: { key: string; secret: string };
    const nowS = () => Math.floor(t.clock.now() / 1000);
    const link = (orderNo: string, over: Partial<{ t: number; secret: string; key: string }> = {}) =>
      new URL(
        signScanLink({
          baseUrl: t.config.http.publicUrl,
          key: over.key ?? setting.key,
          secret: over.secret ?? setting.secret,
          orderNo,
          unixSeconds: over.t ?? nowS(),
        }),
      );
    const open = (url: URL) => t.app.inject({ method: 'GET', url: `${url.pathname}${url.search}` });
    const merchantOrder = (orderNo: string, over: Record<string, unknown> = {}) => {
      merchant.orders.set(orderNo, {
        kind: 'order',
        data: {
          orderNo,
          sellerTaxId: a.sellerTaxId,
          lines: [{ name: '停车费', taxCode: CATERING, amount: '20.00', taxRate: '0.06', priceIncludesTax: true }],
          ...over,
        },
      });
      return orderNo;
    };

    beforeAll(async () => {
      merchant = await startMerchant();
      t = await buildTestApp(dialect, { ...SCAN_ENV, OUTBOUND_ALLOWED_HOSTS: '127.0.0.1' }, undefined, {
        worker: true,
      });
      a = await seedTenant(t, 'A');
      const system = await post(t, a, '/api/v1/business-systems', {
        code: 'TILL',
        name: '收银系统',
        orderQueryUrl: merchant.url,
      });
      expect(system.statusCode, system.body).toBe(201);
      merchant.secret.value = system.json().secret;
      setting = await createScanSetting(t, a, { businessSystemCode: 'TILL', allowedKinds: ['82'] });
    });
    afterAll(async () => {
      await t?.close();
      await merchant?.close();
    });

    it('verifies a valid link, asks the merchant once (signed), and continues on the order page', async () => {
      const orderNo = merchantOrder(nextOrderNo('M'));
      const res = await open(link(orderNo));
      expect(res.statusCode, res.body).toBe(303);
      expect(res.headers.location).toMatch(/^\/s\/[0-9A-Za-z]{17}$/);
      expect(merchant.calls.filter((c) => c.orderNo === orderNo)).toEqual([{ orderNo, signed: true }]);
      const c = consumer(t);
      const page = await c.open(String(res.headers.location));
      expect(page.body).toContain('¥20.00');
      await c.submit(String(res.headers.location), { ...COMPANY_TITLE, kind: '82' });
      await waitForOrder(t, a, orderNo, (s) => s === 'invoiced');
      const again = await open(link(orderNo));
      expect(again.headers.location).toBe(res.headers.location);
      expect(merchant.calls.filter((c) => c.orderNo === orderNo)).toHaveLength(1);
    });

    it('answers expired, tampered and wrong-key links with their own pages', async () => {
      const orderNo = merchantOrder(nextOrderNo('M'));
      const expired = await open(link(orderNo, { t: nowS() - 31 * 86_400 }));
      expect(expired.statusCode).toBe(410);
      expect(expired.body).toContain('二维码已过期');
      const tampered = link(orderNo);
      tampered.searchParams.set('o', `${orderNo}X`);
      expect((await open(tampered)).body).toContain('二维码无效或已被篡改');
      const badSig = link(orderNo);
      badSig.searchParams.set('s', 'AAAAAAAAAAAAAAAA');
      expect((await open(badSig)).statusCode).toBe(400);
      const other = await createScanSetting(t, a, { businessSystemCode: 'TILL' });
      const wrongKey = await open(link(orderNo, { secret: other.secret }));
      expect(wrongKey.statusCode).toBe(400);
      expect(merchant.calls.filter((c) => c.orderNo === orderNo)).toHaveLength(0);
    });

    it('shows merchant down, order not found and bad answers as their own pages', async () => {
      const down = nextOrderNo('M');
      merchant.orders.set(down, { kind: 'down' });
      const downRes = await open(link(down));
      expect(downRes.statusCode).toBe(502);
      expect(downRes.body).toContain('商家系统繁忙');
      expect(merchant.calls.filter((c) => c.orderNo === down)).toHaveLength(2); // one retry
      const missing = await open(link(nextOrderNo('M')));
      expect(missing.statusCode).toBe(404);
      expect(missing.body).toContain('未找到订单');
      const bad = nextOrderNo('M');
      merchant.orders.set(bad, { kind: 'malformed' });
      const badRes = await open(link(bad));
      expect(badRes.statusCode).toBe(502);
      expect(badRes.body).toContain('订单信息有误');
      const wrongKind = merchantOrder(nextOrderNo('M'), { invoiceKind: '81' });
      expect((await open(link(wrongKind))).body).toContain('订单信息有误');
    });

    it('refuses an order of a foreign seller tax id, but accepts another org of the same tenant', async () => {
      const foreign = merchantOrder(nextOrderNo('M'), { sellerTaxId: '91110000600037341L' });
      const res = await open(link(foreign));
      expect(res.statusCode).toBe(422);
      expect(res.body).toContain('二维码key值对应税号和订单税号不一致，请联系商家提供新的二维码');
      const sister = makeUscc('91310115MA1K4Q9R0');
      await createOrg({ db: t.runtime.deps.db.kysely, clock: t.clock }, a.tenantId, {
        taxId: sister,
        name: '姊妹公司',
      });
      await bindSandboxSeller(t.runtime.deps, a.tenantId, sister);
      const own = merchantOrder(nextOrderNo('M'), { sellerTaxId: sister });
      const ok = await open(link(own));
      expect(ok.statusCode).toBe(303);
      expect((await consumer(t).open(String(ok.headers.location))).body).toContain('姊妹公司');
    });

    it('reports a merchant that cannot be reached at all as down', async () => {
      await post(t, a, '/api/v1/business-systems', {
        code: 'GONE',
        name: '已下线',
        orderQueryUrl: 'http://127.0.0.1:9/q',
      });
      const s = await createScanSetting(t, a, { businessSystemCode: 'GONE' });
      const url = new URL(
        signScanLink({ baseUrl: 'http://x', key: s.key, secret: s.secret, orderNo: 'N1', unixSeconds: nowS() }),
      );
      const res = await open(url);
      expect(res.statusCode).toBe(502);
      expect(res.body).toContain('商家系统繁忙');
    });
  });
}
