import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { COMPANY_TITLE, createScanSetting, orderBody, pushOrder, SCAN_ENV, waitForOrder } from './scan-kit.js';

const FORM = 'application/x-www-form-urlencoded';

/** GETs the page like a browser: the nonce cookie it sets and the hidden `_csrf` field of its form. */
async function openForm(t: TestApp, path: string): Promise<{ cookie: string; field: string }> {
  const page = await t.app.inject({ method: 'GET', url: path });
  expect(page.statusCode).toBe(200);
  const set = page.headers['set-cookie'];
  const cookie = String(Array.isArray(set) ? set[0] : set).split(';')[0]!;
  const field = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  return { cookie, field };
}

function postForm(
  t: TestApp,
  path: string,
  pair: { cookie: string; field: string },
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method: 'POST',
    url: path,
    headers: { cookie: pair.cookie, 'content-type': FORM, ...headers },
    payload: new URLSearchParams({ _csrf: pair.field, ...COMPANY_TITLE, kind: '82' }).toString(),
  });
}

function expectRefused(res: LightMyRequestResponse): void {
  expect(res.statusCode, res.body).toBe(403);
  expect(res.body).toContain('SCAN_CSRF_FAILED');
}

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: consumer form CSRF`, () => {
    let t: TestApp;
    let a: SeededTenant;
    let key: string;
    const orderPath = async () => new URL((await pushOrder(t, a, orderBody(key))).url).pathname;

    beforeAll(async () => {
      // Behind a proxy: the public origin is not what the app sees in Host (inject sends `localhost:80`).
      t = await buildTestApp(dialect, { ...SCAN_ENV, PUBLIC_URL: 'https://fapiao.example.com' }, undefined, {
        worker: true,
      });
      a = await seedTenant(t, 'A');
      key = (await createScanSetting(t, a)).key;
    });
    afterAll(async () => t?.close());

    it('accepts a real GET-then-POST from our page (public origin, or the Host it was addressed to)', async () => {
      const path = await orderPath();
      const res = await postForm(t, path, await openForm(t, path), { origin: 'https://fapiao.example.com' });
      expect(res.statusCode, res.body).toBe(303);
      expect(res.headers.location).toBe(path);

      const direct = await orderPath();
      const viaHost = await postForm(t, direct, await openForm(t, direct), { referer: `http://localhost${direct}` });
      expect(viaHost.statusCode, viaHost.body).toBe(303);

      const bare = await orderPath();
      expect((await postForm(t, bare, await openForm(t, bare))).statusCode).toBe(303);
    });

    it('refuses a valid pair posted with `Origin: null`', async () => {
      const path = await orderPath();
      expectRefused(await postForm(t, path, await openForm(t, path), { origin: 'null' }));
    });

    it('refuses a valid pair posted from another origin', async () => {
      const path = await orderPath();
      const pair = await openForm(t, path);
      expectRefused(await postForm(t, path, pair, { origin: 'https://evil.example' }));
      expectRefused(await postForm(t, path, pair, { origin: 'http://fapiao.example.com' }));
    });

    it('refuses a valid pair with a foreign (or unparsable) Referer and no Origin', async () => {
      const path = await orderPath();
      const pair = await openForm(t, path);
      expectRefused(await postForm(t, path, pair, { referer: `https://evil.example${path}` }));
      expectRefused(await postForm(t, path, pair, { referer: 'about:blank' }));
    });

    it('refuses an attacker-chosen matching cookie/field pair (no Origin, no Referer)', async () => {
      const path = await orderPath();
      const chosen = 'AttackerChosenValue123';
      expectRefused(await postForm(t, path, { cookie: `ofp_csrf=${chosen}`, field: chosen }));
      const { field } = await openForm(t, path);
      expectRefused(await postForm(t, path, { cookie: `ofp_csrf=${chosen}`, field }));
    });

    it("binds the status page's 「发送到邮箱」 form to its own path", async () => {
      const order = await pushOrder(t, a, orderBody(key));
      const path = new URL(order.url).pathname;
      const form = await openForm(t, path);
      expect((await postForm(t, path, form)).statusCode).toBe(303);
      await waitForOrder(t, a, order.orderNo, (s) => s === 'invoiced');
      const status = await openForm(t, path);
      const send = (pair: { cookie: string; field: string }) =>
        t.app.inject({
          method: 'POST',
          url: `${path}/email`,
          headers: { cookie: pair.cookie, 'content-type': FORM, origin: 'https://fapiao.example.com' },
          payload: new URLSearchParams({ _csrf: pair.field, email: 'buyer@example.com' }).toString(),
        });
      expectRefused(await send(form));
      const sent = await send(status);
      expect(sent.statusCode, sent.body).toBe(303);
      expect(sent.headers.location).toBe(`${path}?sent=1`);
    });

    it('refuses a field rendered for another form, and one older than a day', async () => {
      const other = await orderPath();
      const path = await orderPath();
      const pair = await openForm(t, other);
      expectRefused(await postForm(t, path, pair));
      const fresh = await openForm(t, path);
      t.clock.advance(86_401_000);
      expectRefused(await postForm(t, path, fresh));
    });
  });
}
