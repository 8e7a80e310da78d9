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

/** An e-mail field that made the old pattern backtrack quadratically (12.6 s for 128 KB). */
const hostileEmail = (bytes: number) => `a@${'.'.repeat(bytes)}@`;

// The short timeouts below are hang detectors (the unfixed pattern takes seconds to minutes), not timing assertions.
for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: scan H5 pages under hostile input`, () => {
    let t: TestApp;
    let a: SeededTenant;
    let key: string;
    let staticPath: string;

    beforeAll(async () => {
      t = await buildTestApp(dialect, SCAN_ENV, undefined, { worker: true });
      a = await seedTenant(t, 'A');
      key = (await createScanSetting(t, a)).key;
      const s = await createScanSetting(t, a, {
        allowedKinds: ['82'],
        preset: { lines: [{ name: '餐费', taxCode: CATERING, taxRate: '0.06' }], maxAmount: '500.00' },
      });
      staticPath = `/q/${s.key}`;
    });
    afterAll(async () => t?.close());

    const orderPath = async () => new URL((await pushOrder(t, a, orderBody(key))).url).pathname;

    it('answers a 128 KB e-mail field on /s/{token} promptly, without running the e-mail pattern', {
      timeout: 5_000,
    }, async () => {
      const res = await consumer(t).submit(await orderPath(), {
        ...COMPANY_TITLE,
        kind: '82',
        email: hostileEmail(128 * 1024),
      });
      expect(res.statusCode).toBe(413);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.body).toContain('提交的内容过长');
    });

    it('answers a 128 KB e-mail field on /q/{key} promptly, without running the e-mail pattern', {
      timeout: 5_000,
    }, async () => {
      const res = await consumer(t).submit(staticPath, {
        buyerType: 'personal',
        name: '张三',
        amount: '10',
        email: hostileEmail(128 * 1024),
      });
      expect(res.statusCode).toBe(413);
      expect(res.body).toContain('提交的内容过长');
    });

    it('shows a field error for an over-long e-mail that fits the form body limit', { timeout: 5_000 }, async () => {
      for (const path of [await orderPath(), staticPath]) {
        const res = await consumer(t).submit(path, {
          buyerType: 'personal',
          name: '张三',
          amount: '10',
          kind: '82',
          email: hostileEmail(12 * 1024),
        });
        expect(res.statusCode, path).toBe(422);
        expect(res.body).toContain('邮箱最多 254 个字符');
        expect(res.body.length).toBeLessThan(40_000);
      }
    });

    it('caps every title field before checking it, with a Chinese field error', async () => {
      const path = await orderPath();
      const long = (n: number, c = '测') => c.repeat(n);
      const res = await consumer(t).submit(path, {
        buyerType: 'company',
        kind: '82',
        name: long(301),
        taxId: long(21, 'A'),
        address: long(5000, 'x'),
        phone: long(61, '1'),
        bankName: long(121),
        bankAccount: long(51, '1'),
        mobile: long(12, '1'),
      });
      expect(res.statusCode).toBe(422);
      for (const text of [
        '最多 300 个字',
        '最多 20 个字符',
        '最多 60 个字',
        '最多 120 个字',
        '最多 50 个字',
        '请填写11位手机号',
      ]) {
        expect(res.body).toContain(text);
      }
      // A refused value is not echoed back in full.
      expect(res.body).toContain(long(301));
      expect(res.body).not.toContain(long(603, 'x'));
      const ok = await consumer(t).submit(path, { ...COMPANY_TITLE, kind: '82', name: long(300), address: long(300) });
      expect(ok.statusCode, ok.body).toBe(303);
    });

    it('does not send an invoice to a malformed or over-long e-mail from the status page', async () => {
      const order = await pushOrder(t, a, orderBody(key));
      const path = new URL(order.url).pathname;
      const c = consumer(t);
      expect((await c.submit(path, { ...COMPANY_TITLE, kind: '82' })).statusCode).toBe(303);
      await waitForOrder(t, a, order.orderNo, (s) => s === 'invoiced');
      for (const email of [`a@${'.'.repeat(8000)}@`, 'not-an-address', `${'a'.repeat(250)}@example.com`]) {
        const res = await c.submit(path, { email }, `${path}/email`);
        expect(res.statusCode).toBe(303);
        expect(res.headers.location).toBe(`${path}?sent=bad`);
      }
      expect((await c.open(`${path}?sent=bad`)).body).toContain('邮箱格式不正确');
      const ok = await c.submit(path, { email: 'buyer@example.com' }, `${path}/email`);
      expect(ok.headers.location).toBe(`${path}?sent=1`);
    });

    it('answers a form body over 16 KiB with 413 and the HTML error page, on every consumer form', async () => {
      const path = await orderPath();
      for (const [page, action] of [
        [path, path],
        [path, `${path}/email`],
        [staticPath, staticPath],
      ] as const) {
        const res = await consumer(t).submit(page, { name: 'x'.repeat(17 * 1024) }, action);
        expect(res.statusCode, action).toBe(413);
        expect(res.headers['content-type']).toContain('text/html');
        expect(res.body).toContain('PAYLOAD_TOO_LARGE');
      }
    });

    it('refuses merchant-link queries with huge values as an invalid link', async () => {
      const huge = 'a'.repeat(256 * 1024);
      const res = await t.app.inject({ method: 'GET', url: `/q/${key}?o=${huge}&t=${huge}&s=${huge}` });
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.body).toContain('SCAN_LINK_INVALID');
    });
  });
}
