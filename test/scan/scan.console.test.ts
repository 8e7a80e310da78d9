import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleSession, loginAs, seedUser } from '../auth/console-kit.js';
import { decodeQrPng, HAS_POPPLER, pdfPagePng, pdfText } from '../helpers/pdf-kit.js';
import { buildTestApp, errorOf, makeUscc, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { CATERING } from '../invoicing/invoicing-kit.js';
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

/** What the console's 扫码开票 pages need beyond the scan API: the table-tent poster, order filters, audited issue. */
for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: scan console (poster, order filters, audit)`, () => {
    let t: TestApp;
    let a: SeededTenant;
    let b: SeededTenant;
    let clerk: ConsoleSession;
    let clerkUser: { id: string; username: string; password: string };
    let auditor: ConsoleSession;

    beforeAll(async () => {
      t = await buildTestApp(dialect, SCAN_ENV, undefined, { worker: true });
      a = await seedTenant(t, 'A');
      b = await seedTenant(t, 'B');
      clerkUser = await seedUser(t, a.tenantId, 'clerk', { orgTaxIds: [a.sellerTaxId] });
      clerk = await loginAs(t, clerkUser);
      auditor = await loginAs(t, await seedUser(t, a.tenantId, 'auditor'));
    });
    const audit = async (action: string) => {
      const res = await t.app.inject({ url: `/api/v1/audit-log?action=${action}`, headers: auditor.read });
      expect(res.statusCode, res.body).toBe(200);
      return res.json<{ items: { actor: { id: string }; target: { id: string } }[] }>().items;
    };
    const consolePost = (url: string) => t.app.inject({ method: 'POST', url, headers: clerk.write });
    afterAll(async () => t?.close());

    const preset = {
      lines: [{ name: '餐饮服务', taxCode: CATERING, taxRate: '0.06' }],
      maxAmount: '2000.00',
    };

    it.skipIf(!HAS_POPPLER)(
      'prints the static QR code as an A4 or A5 poster with the seller, steps and link',
      async () => {
        const s = await createScanSetting(t, a, { name: '静安店 收银台', preset });
        for (const [size, widthPt] of [
          ['a4', 595.276],
          ['a5', 419.528],
        ] as const) {
          const res = await get(t, a, `/api/v1/scan/settings/${s.key}/poster.pdf?size=${size}`);
          expect(res.statusCode).toBe(200);
          expect(res.headers['content-type']).toBe('application/pdf');
          expect(res.headers['content-disposition']).toContain(`poster-${s.key}-${size}.pdf`);
          const pdf = res.rawPayload;
          expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
          expect(pdf.toString('latin1')).toContain(`/MediaBox [0 0 ${widthPt}`);
          const text = pdfText(pdf);
          expect(text).toContain('扫码开具发票');
          expect(text).toContain('A 销方有限公司');
          expect(text).toContain('静安店 收银台');
          expect(text).toContain('输入消费金额'); // the preset's line has no amount: the consumer types it
          expect(text).toContain(`${t.config.http.publicUrl}/q/${s.key}`);
          expect(await decodeQrPng(pdfPagePng(pdf, 100))).toEqual([`${t.config.http.publicUrl}/q/${s.key}`]);
        }
        // The default is A4; a setting without a preset has no static link to print.
        const def = await get(t, a, `/api/v1/scan/settings/${s.key}/poster.pdf`);
        expect(def.rawPayload.toString('latin1')).toContain('/MediaBox [0 0 595.276 841.89]');
        const plain = await createScanSetting(t, a);
        const none = await get(t, a, `/api/v1/scan/settings/${plain.key}/poster.pdf`);
        expect(none.statusCode).toBe(409);
        expect(errorOf(none)).toMatchObject({
          code: 'SCAN_POSTER_UNAVAILABLE',
          message: expect.stringContaining('台卡'),
        });
        // Tenants are walls; unknown sizes are refused by the schema.
        expect((await get(t, b, `/api/v1/scan/settings/${s.key}/poster.pdf`)).statusCode).toBe(404);
        expect(errorOf(await get(t, a, `/api/v1/scan/settings/${s.key}/poster.pdf?size=a3`)).code).toBe(
          'VALIDATION_FAILED',
        );
      },
    );

    it('filters orders by order number and creation day (China time)', async () => {
      const s = await createScanSetting(t, a, { scanType: 'title_only' });
      const one = await pushOrder(t, a, orderBody(s.key));
      await pushOrder(t, a, orderBody(s.key));
      const byNo = (await get(t, a, `/api/v1/scan/orders?orderNo=${one.orderNo}`)).json();
      expect(byNo.items.map((o: { orderNo: string }) => o.orderNo)).toEqual([one.orderNo]);
      // The manual clock stands at 2025-06-01 10:00 China time.
      const today = (
        await get(t, a, `/api/v1/scan/orders?settingKey=${s.key}&createdFrom=2025-06-01&createdTo=2025-06-01`)
      ).json();
      expect(today.items).toHaveLength(2);
      const before = (await get(t, a, `/api/v1/scan/orders?settingKey=${s.key}&createdTo=2025-05-31`)).json();
      expect(before.items).toHaveLength(0);
      const after = (await get(t, a, `/api/v1/scan/orders?settingKey=${s.key}&createdFrom=2025-06-02`)).json();
      expect(after.items).toHaveLength(0);
      expect(errorOf(await get(t, a, '/api/v1/scan/orders?createdFrom=yesterday')).code).toBe('VALIDATION_FAILED');
      expect((await get(t, b, `/api/v1/scan/orders?orderNo=${one.orderNo}`)).json().items).toEqual([]);
    });

    it('audits issuing a title_only order and withdrawing one, with who asked and the status change', async () => {
      const s = await createScanSetting(t, a, { scanType: 'title_only' });
      const order = await pushOrder(t, a, orderBody(s.key));
      await consumer(t).submit(`/s/${order.token}`, { ...COMPANY_TITLE, kind: '82' });
      // A 开票员 of the seller issues it in the console; the app withdraws another.
      expect((await consolePost(`/api/v1/scan/orders/${order.orderNo}/issue`)).json().status).toBe('invoicing');
      await waitForOrder(t, a, order.orderNo, (st) => st === 'invoiced');
      // Issuing again changes nothing and records nothing.
      expect((await consolePost(`/api/v1/scan/orders/${order.orderNo}/issue`)).statusCode).toBe(200);
      const open = await pushOrder(t, a, orderBody(s.key));
      expect((await post(t, a, `/api/v1/scan/orders/${open.orderNo}/withdraw`)).json().status).toBe('withdrawn');

      const entries = (await audit('scan.orders.issue')).filter((e) => e.target.id === order.orderNo);
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({
        actor: { kind: 'user', id: clerkUser.id, name: clerkUser.username },
        action: 'scan.orders.issue',
        target: { type: 'scan_order', id: order.orderNo },
        diff: { status: { from: 'submitted', to: 'invoicing' } },
        requestId: expect.any(String),
      });
      const withdrawn = (await audit('scan.orders.withdraw')).find((e) => e.target.id === open.orderNo);
      expect(withdrawn).toMatchObject({ actor: { kind: 'app', id: a.appId } });
    });

    it('keeps a 开票员 to the seller orgs assigned to them: other sellers’ settings and orders are out of reach', async () => {
      const s = await createScanSetting(t, a, { scanType: 'title_only', preset: undefined });
      const order = await pushOrder(t, a, orderBody(s.key));
      const other = await loginAs(
        t,
        await seedUser(t, a.tenantId, 'clerk', { orgTaxIds: [makeUscc('91310115MA1K4Q9XX')] }),
      );
      const as = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
        t.app.inject({ method, url, headers: method === 'GET' ? other.read : other.write, payload });

      const settings = (await as('GET', '/api/v1/scan/settings')).json();
      expect(settings.items).toEqual([]);
      const orders = (await as('GET', '/api/v1/scan/orders')).json();
      expect(orders.items).toEqual([]);
      for (const [method, url, payload] of [
        ['GET', `/api/v1/scan/settings/${s.key}`],
        ['PATCH', `/api/v1/scan/settings/${s.key}`, { enabled: false }],
        ['POST', `/api/v1/scan/settings/${s.key}/rotate-secret`],
        ['GET', `/api/v1/scan/settings/${s.key}/poster.pdf`],
        [
          'POST',
          '/api/v1/scan/settings',
          { sellerTaxId: a.sellerTaxId, scanType: 'issue', allowedKinds: ['82'], validityDays: 1 },
        ],
        ['GET', `/api/v1/scan/orders?settingKey=${s.key}`],
        ['GET', `/api/v1/scan/orders/${order.orderNo}`],
        ['POST', `/api/v1/scan/orders/${order.orderNo}/withdraw`],
        ['POST', `/api/v1/scan/orders/${order.orderNo}/issue`],
        ['POST', '/api/v1/scan/orders', orderBody(s.key)],
      ] as const) {
        const res = await as(method, url, payload);
        expect(res.statusCode, `${method} ${url}`).toBe(403);
        expect(errorOf(res).code).toBe('ORG_NOT_ASSIGNED');
      }
      // Nothing changed: the setting is still enabled and the order still open.
      expect((await get(t, a, `/api/v1/scan/settings/${s.key}`)).json().enabled).toBe(true);
      expect((await get(t, a, `/api/v1/scan/orders/${order.orderNo}`)).json().status).toBe('open');
      // The clerk of the seller sees both.
      expect(
        (await t.app.inject({ url: '/api/v1/scan/orders', headers: clerk.read })).json().items.length,
      ).toBeGreaterThan(0);
      const own = (await t.app.inject({ url: '/api/v1/scan/settings', headers: clerk.read })).json();
      expect(own.items.map((x: { key: string }) => x.key)).toContain(s.key);
    });
  });
}
