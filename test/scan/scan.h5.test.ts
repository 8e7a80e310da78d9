import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { CATERING } from '../invoicing/invoicing-kit.js';
import {
  COMPANY_TITLE,
  consumer,
  createScanSetting,
  orderBody,
  pushOrder,
  SCAN_ENV,
  waitForOrder,
} from './scan-kit.js';

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: scan H5 pages`, () => {
    let t: TestApp;
    let a: SeededTenant;
    let key: string;

    beforeAll(async () => {
      t = await buildTestApp(dialect, SCAN_ENV, undefined, { worker: true });
      a = await seedTenant(t, 'A');
      key = (await createScanSetting(t, a)).key;
    });
    afterAll(async () => t?.close());

    it('shows the order form, submits a company title and ends on the issued status page', async () => {
      const order = await pushOrder(t, a, orderBody(key));
      const path = new URL(order.url).pathname;
      const c = consumer(t);
      const page = await c.open(path);
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toContain('text/html');
      expect(page.body).toContain('¥1060.00');
      expect(page.body).toContain('*餐饮服务*工作餐');
      expect(Buffer.byteLength(page.body)).toBeLessThan(30_000);
      const res = await c.submit(path, { ...COMPANY_TITLE, kind: '82', email: 'buyer@example.com' });
      expect(res.statusCode, res.body).toBe(303);
      expect(res.headers.location).toBe(path);
      await waitForOrder(t, a, order.orderNo, (s) => s === 'invoiced');
      const done = await c.open(path);
      expect(done.body).toContain('已开具');
      expect(done.body).toMatch(/发票号码<\/dt><dd>\d{20}</);
      expect(done.body).toContain('/d/');
    });

    it('re-shows the form with an inline error for a bad USCC and keeps the order open', async () => {
      const order = await pushOrder(t, a, orderBody(key));
      const path = new URL(order.url).pathname;
      const res = await consumer(t).submit(path, { ...COMPANY_TITLE, taxId: '91110000600037341M', kind: '82' });
      expect(res.statusCode).toBe(422);
      expect(res.body).toContain('纳税人识别号校验位不正确');
      expect(res.body).toContain('value="北京测试科技有限公司"');
      const view = await waitForOrder(t, a, order.orderNo, () => true);
      expect(view.status).toBe('open');
    });

    it('refuses a form post without the CSRF cookie', async () => {
      const order = await pushOrder(t, a, orderBody(key));
      const res = await t.app.inject({
        method: 'POST',
        url: new URL(order.url).pathname,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ _csrf: 'x', ...COMPANY_TITLE, kind: '82' }).toString(),
      });
      expect(res.statusCode).toBe(403);
      expect(res.body).toContain('页面已失效');
    });

    it('issues from a static link: preset lines, the amount typed by the consumer (码上开票)', async () => {
      const s = await createScanSetting(t, a, {
        allowedKinds: ['82'],
        preset: { lines: [{ name: '餐费', taxCode: CATERING, taxRate: '0.06' }], maxAmount: '500.00' },
      });
      expect(s.staticUrl).toBe(`${t.config.http.publicUrl}/q/${s.key}`);
      const c = consumer(t);
      const path = `/q/${s.key}`;
      expect((await c.open(path)).body).toContain('消费金额');
      const tooMuch = await c.submit(path, { buyerType: 'personal', name: '张三', amount: '800' });
      expect(tooMuch.statusCode).toBe(422);
      expect(tooMuch.body).toContain('金额不能超过 500.00 元');
      const res = await c.submit(path, { buyerType: 'personal', name: '张三', amount: '88.50' });
      expect(res.statusCode, res.body).toBe(303);
      const page = await c.open(String(res.headers.location));
      expect(page.body).toContain('¥88.50');
    });
  });
}
