import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signScanLink } from '../../src/index.js';
import { issueBlue } from '../documents/documents-kit.js';
import { buildTestApp, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { COMPANY_TITLE, consumer, createScanSetting, get, orderBody, pushOrder, SCAN_ENV } from '../scan/scan-kit.js';

/** The real pino output of the app, as JSON lines. */
function capturingLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), text: () => lines.join('\n'), lines };
}

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: secrets in the request log`, () => {
    let t: TestApp;
    let a: SeededTenant;
    const log = capturingLogger();

    beforeAll(async () => {
      t = await buildTestApp(dialect, SCAN_ENV, undefined, { worker: true, logger: log.logger });
      a = await seedTenant(t, 'A');
    });
    afterAll(async () => t?.close());

    it('logs every public link route with its token or signature cut to a prefix, and no auth headers', async () => {
      // /s/{token}: the order page, its QR images, its status poll, and the title form post
      const setting = await createScanSetting(t, a);
      const order = await pushOrder(t, a, orderBody(setting.key));
      const token = order.token;
      const browser = consumer(t);
      expect((await browser.open(`/s/${token}`)).statusCode).toBe(200);
      expect((await t.app.inject({ url: `/s/${token}/qr.png` })).statusCode).toBe(200);
      expect((await t.app.inject({ url: `/s/${token}/qr.svg` })).statusCode).toBe(200);
      expect((await t.app.inject({ url: `/s/${token}/status.json` })).statusCode).toBe(200);
      const submitted = await browser.submit(`/s/${token}`, {
        buyerType: COMPANY_TITLE.buyerType,
        name: COMPANY_TITLE.name,
        taxId: COMPANY_TITLE.taxId,
        kind: '82',
      });
      expect(submitted.statusCode).toBeLessThan(400);
      const cookieValue = browser.cookie.split('=')[1] ?? '';
      expect(cookieValue.length).toBeGreaterThan(8);

      // /d/{signed token}: a signed download link, and the same link with its signature changed (an error path)
      const invoice = await issueBlue(t, a);
      const links = (await get(t, a, `/api/v1/invoices/${invoice.serialNo}/links`)).json<{ pdf: string }>();
      const download = new URL(links.pdf);
      const downloadToken = download.pathname.slice('/d/'.length);
      const signature = downloadToken.slice(downloadToken.lastIndexOf('.') + 1);
      expect(signature.length).toBeGreaterThanOrEqual(16);
      expect((await t.app.inject({ url: download.pathname })).statusCode).toBe(200);
      const forged = `${download.pathname.slice(0, -4)}AAAA`;
      expect((await t.app.inject({ url: forged })).statusCode).toBe(404);

      // /q/{key}?o=&t=&s=: a merchant-signed link (no order-query URL is set up, so it answers an error page)
      const q = new URL(
        signScanLink({
          baseUrl: t.config.http.publicUrl,
          key: setting.key,
          secret: setting.secret,
          orderNo: 'POS-LOG-1',
          unixSeconds: Math.floor(t.clock.now() / 1000),
        }),
      );
      const qSignature = q.searchParams.get('s') ?? '';
      expect(qSignature.length).toBeGreaterThanOrEqual(16);
      await t.app.inject({ url: `${q.pathname}${q.search}` });
      await t.app.inject({ method: 'POST', url: `${q.pathname}${q.search}`, payload: {} });

      // An authenticated call with a cookie
      await t.app.inject({ url: '/api/v1/orgs', headers: { ...a.auth, cookie: 'session=cookie-secret-value-123' } });

      const text = log.text();
      const requests = log.lines
        .map((l) => JSON.parse(l) as { req?: { url: string; headers?: unknown } })
        .filter((l) => l.req);
      const urls = requests.map((l) => l.req?.url);
      // Each route was logged, with a prefix to correlate
      expect(urls).toContain(`/s/${token.slice(0, 4)}…`);
      expect(urls).toContain(`/s/${token.slice(0, 4)}…/qr.png`);
      expect(urls).toContain(`/s/${token.slice(0, 4)}…/status.json`);
      expect(urls.some((u) => u?.startsWith(`/d/${downloadToken.slice(0, downloadToken.indexOf('.'))}.…`))).toBe(true);
      expect(urls).toContain(`${q.pathname}?o=POS-LOG-1&t=${q.searchParams.get('t')}&s=${qSignature.slice(0, 4)}…`);
      // …and never the secrets
      expect(text).not.toContain(token);
      expect(text).not.toContain(signature);
      expect(text).not.toContain(qSignature);
      expect(text).not.toContain(a.token);
      expect(text).not.toContain(cookieValue);
      expect(text).not.toContain('cookie-secret-value-123');
      expect(requests.every((l) => l.req?.headers === undefined)).toBe(true);
    });
  });
}
