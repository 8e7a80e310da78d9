import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, errorOf, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { createScanSetting, orderBody, pushOrder, SCAN_ENV } from '../scan/scan-kit.js';

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: one error envelope (405, H5 JSON endpoints)`, () => {
    let t: TestApp;
    let a: SeededTenant;
    let orderPath: string;

    beforeAll(async () => {
      t = await buildTestApp(dialect, SCAN_ENV);
      a = await seedTenant(t, 'A');
      const { key } = await createScanSetting(t, a);
      orderPath = new URL((await pushOrder(t, a, orderBody(key))).url).pathname;
    });
    afterAll(async () => t?.close());

    const expect405 = async (method: 'DELETE' | 'PUT' | 'PATCH' | 'POST', url: string, allow: string) => {
      const res = await t.app.inject({ method, url, headers: a.auth });
      expect(res.statusCode, `${method} ${url}`).toBe(405);
      expect(res.headers.allow, `${method} ${url}`).toBe(allow);
      expect(res.headers['content-type']).toContain('application/json');
      expect(errorOf(res)).toMatchObject({ code: 'METHOD_NOT_ALLOWED', message: '不支持该请求方法' });
    };

    it('answers a wrong method on an API route with 405 METHOD_NOT_ALLOWED and Allow', async () => {
      await expect405('DELETE', '/api/v1/orgs', 'GET, HEAD, OPTIONS, POST');
      await expect405('PUT', `/api/v1/orgs/${a.sellerTaxId}`, 'GET, HEAD, OPTIONS, PATCH');
      await expect405('DELETE', '/api/v1/scan/orders/ORD-1/withdraw?x=1', 'OPTIONS, POST');
      await expect405('POST', '/healthz', 'GET, HEAD, OPTIONS');
      const unknown = await t.app.inject({ method: 'DELETE', url: '/api/v1/nope', headers: a.auth });
      expect(unknown.statusCode).toBe(404);
      expect(errorOf(unknown).code).toBe('NOT_FOUND');
      expect(unknown.headers.allow).toBeUndefined();
    });

    it('answers a wrong method on an H5 route with 405 and Allow', async () => {
      await expect405('DELETE', orderPath, 'GET, HEAD, OPTIONS, POST');
      await expect405('POST', `${orderPath}/status.json`, 'GET, HEAD, OPTIONS');
      await expect405('PUT', `${orderPath}/qr.png`, 'GET, HEAD, OPTIONS');
    });

    it('answers OPTIONS on a known path with 204 and Allow, and HEAD where GET is allowed', async () => {
      const options = await t.app.inject({ method: 'OPTIONS', url: '/api/v1/orgs' });
      expect(options.statusCode).toBe(204);
      expect(options.headers.allow).toBe('GET, HEAD, OPTIONS, POST');
      expect((await t.app.inject({ method: 'OPTIONS', url: '/api/v1/nope' })).statusCode).toBe(404);
      expect((await t.app.inject({ method: 'HEAD', url: '/healthz' })).statusCode).toBe(200);
    });

    it('answers an unknown token on the status poll with the JSON error body; the page keeps its HTML error', async () => {
      const poll = await t.app.inject({ url: '/s/NoSuchToken0123456789/status.json' });
      expect(poll.statusCode).toBe(400);
      expect(poll.headers['content-type']).toContain('application/json');
      expect(errorOf(poll)).toMatchObject({ code: 'SCAN_LINK_INVALID', requestId: expect.any(String) });
      const page = await t.app.inject({ url: '/s/NoSuchToken0123456789' });
      expect(page.statusCode).toBe(400);
      expect(page.headers['content-type']).toContain('text/html');
      const ok = await t.app.inject({ url: `${orderPath}/status.json` });
      expect(ok.json()).toEqual({ status: 'open' });
    });
  });
}
