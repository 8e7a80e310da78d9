import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, errorOf, makeUscc, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { waitFor, waitForValue } from '../helpers/wait.js';
import { blueRequest, waitForStatus } from '../invoicing/invoicing-kit.js';
import { COUNTER_ENV, createQr, get, phone, post, reserve } from './counter-kit.js';

/** Issues a blue invoice for `who` (company buyer `buyer`), waits until issued; answers its serial number. */
async function issued(t: TestApp, who: SeededTenant, buyer: Record<string, unknown>) {
  const body = blueRequest(who, { buyer });
  const res = await post(t, who, '/api/v1/invoices', body);
  expect(res.statusCode, res.body).toBe(202);
  const invoice = await waitForStatus(t, who, body.serialNo, (s) => s === 'issued' || s === 'failed');
  expect(invoice.status).toBe('issued');
  return { serialNo: body.serialNo, number: invoice.number as string };
}

async function kioskOf(t: TestApp, who: SeededTenant, paper = 'a4') {
  const res = await post(t, who, '/api/v1/counter/kiosks', { sellerTaxId: who.sellerTaxId, name: '一号店', paper });
  expect(res.statusCode, res.body).toBe(201);
  const view = res.json<{ id: string; url: string }>();
  return { ...view, path: new URL(view.url).pathname };
}

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`自助打印 and 抬头联想 (${dialect.name})`, () => {
    let t: TestApp;
    let a: SeededTenant;
    let b: SeededTenant;

    beforeAll(async () => {
      t = await buildTestApp(dialect, COUNTER_ENV, undefined, { worker: true });
      a = await seedTenant(t, 'kiosk-a');
      b = await seedTenant(t, 'kiosk-b');
    });
    afterAll(() => t?.close());

    it('a kiosk shows the one invoice of an order number and its extraction code, print-ready', async () => {
      const inv = await issued(t, a, { name: '北京测试科技有限公司', taxId: '91110000600037341L' });
      const codeRes = await post(t, a, '/api/v1/counter/extraction-codes', { orderNo: inv.serialNo });
      expect(codeRes.statusCode).toBe(201);
      const { code } = codeRes.json<{ code: string }>();
      expect(code).toMatch(/^[2-9A-HJ-NP-Z]{8}$/);
      expect((await post(t, b, '/api/v1/counter/extraction-codes', { orderNo: inv.serialNo })).statusCode).toBe(404);
      const kiosk = await kioskOf(t, a, 'a5');
      const p = phone(t, '192.0.2.10');
      const start = await p.open(kiosk.path);
      expect(start.statusCode).toBe(200);
      expect(start.body).toContain('自助打印发票');
      expect(start.headers['content-security-policy']).toContain("script-src 'sha256-");
      const shown = await p.submit(kiosk.path, { orderNo: inv.serialNo, code: code.toLowerCase() });
      expect(shown.statusCode, shown.body.slice(0, 500)).toBe(200);
      expect(shown.body).toContain(inv.number);
      expect(shown.body).toContain('北京测试科技有限公司');
      expect(shown.body).toContain('size:A5 landscape');
      // The scanner's form: "{orderNo} {code}".
      const scanned = await p.submit(kiosk.path, { scanned: `${inv.serialNo} ${code}` });
      expect(scanned.body).toContain(inv.number);
    });

    it("serves the camera decoder itself: the script matches the page's SRI hash; wasm compiles on kiosk pages only", async () => {
      const kiosk = await kioskOf(t, a);
      const start = await phone(t, '192.0.2.11').open(kiosk.path);
      const csp = String(start.headers['content-security-policy']);
      expect(csp).toMatch(/script-src 'sha256-[^']+' 'self' 'wasm-unsafe-eval'/);
      expect(csp).toContain("connect-src 'self'");
      expect(csp).not.toMatch(/https?:|\*/);
      const sri = /id="camera"[^>]* data-sri="(sha384-[^"]+)"/.exec(start.body)?.[1];
      expect(start.body).toContain('data-src="/k/assets/zxing-reader.js"');
      expect(start.body).toContain('data-wasm="/k/assets/zxing_reader.wasm"');
      expect(start.body).toMatch(/<input type="file" id="camera-file" accept="image\/\*" capture="environment"/);
      const script = await t.app.inject({ method: 'GET', url: '/k/assets/zxing-reader.js' });
      expect(script.statusCode).toBe(200);
      expect(script.headers['content-type']).toContain('text/javascript');
      expect(script.headers['x-content-type-options']).toBe('nosniff');
      expect(sri).toBe(`sha384-${createHash('sha384').update(script.rawPayload).digest('base64')}`);
      const wasm = await t.app.inject({ method: 'GET', url: '/k/assets/zxing_reader.wasm' });
      expect(wasm.statusCode).toBe(200);
      expect(wasm.headers['content-type']).toBe('application/wasm');
      expect(wasm.rawPayload.subarray(0, 4)).toEqual(Buffer.from([0, 0x61, 0x73, 0x6d]));
      // Another consumer page (the reservation form) does not allow compiling wasm.
      const qr = await createQr(t, a);
      const form = await phone(t, '192.0.2.12').open(`/r/${qr.key}`);
      expect(form.statusCode).toBe(200);
      expect(String(form.headers['content-security-policy'] ?? '')).not.toContain('wasm-unsafe-eval');
      // Unknown assets are not served.
      expect((await t.app.inject({ method: 'GET', url: '/k/assets/zxing_writer.wasm' })).statusCode).toBe(404);
    });

    it('refuses wrong codes, other stores’ invoices and revoked kiosks the same way', async () => {
      const inv = await issued(t, a, { name: '北京测试科技有限公司', taxId: '91110000600037341L' });
      const { code } = (await post(t, a, '/api/v1/counter/extraction-codes', { orderNo: inv.serialNo })).json<{
        code: string;
      }>();
      const kiosk = await kioskOf(t, a);
      const p = phone(t, '192.0.2.20');
      const wrong = await p.submit(kiosk.path, {
        orderNo: inv.serialNo,
        code: code === '22222222' ? '33333333' : '22222222',
      });
      expect(wrong.statusCode).toBe(404);
      expect(wrong.body).toContain('未找到发票');
      expect(wrong.body).not.toContain(inv.number);
      const garbage = await p.submit(kiosk.path, { orderNo: '<script>', code: 'x'.repeat(300) });
      expect(garbage.statusCode).toBe(404);
      // Tenant b's kiosk cannot open tenant a's invoice, even with the right code.
      const other = await kioskOf(t, b);
      const cross = await phone(t, '192.0.2.21').submit(other.path, { orderNo: inv.serialNo, code });
      expect(cross.statusCode).toBe(404);
      expect(cross.body).not.toContain(inv.number);
      // A new code replaces the old one.
      const { code: fresh } = (await post(t, a, '/api/v1/counter/extraction-codes', { orderNo: inv.serialNo })).json<{
        code: string;
      }>();
      if (fresh !== code) {
        expect((await phone(t, '192.0.2.22').submit(kiosk.path, { orderNo: inv.serialNo, code })).statusCode).toBe(404);
      }
      expect((await phone(t, '192.0.2.22').submit(kiosk.path, { orderNo: inv.serialNo, code: fresh })).statusCode).toBe(
        200,
      );
      // Revoked: the link is dead; another tenant cannot revoke it.
      expect((await post(t, b, `/api/v1/counter/kiosks/${kiosk.id}/revoke`)).statusCode).toBe(404);
      expect((await post(t, a, `/api/v1/counter/kiosks/${kiosk.id}/revoke`)).json<{ revoked: boolean }>().revoked).toBe(
        true,
      );
      expect((await t.app.inject({ method: 'GET', url: kiosk.path })).statusCode).toBe(404);
      const bKiosks = (await get(t, b, '/api/v1/counter/kiosks')).json<{ items: { id: string }[] }>().items;
      expect(bKiosks.map((k) => k.id)).toEqual([other.id]);
    });

    it('an issued reservation opens at the kiosk by its status link (the receipt QR) and by its pickup code', async () => {
      const qr = await createQr(t, a);
      const r = await reserve(t, qr.key, { mobile: '13300005555' }, '192.0.2.30');
      const [view] = (await get(t, a, '/api/v1/counter/reservations?q=13300005555')).json<{ items: { id: string }[] }>()
        .items;
      await post(t, a, `/api/v1/counter/reservations/${view!.id}/issue`, {});
      const page = await waitForValue('the issued page', async () => {
        const body = (await t.app.inject({ method: 'GET', url: `/r/t/${r.token}` })).body;
        return body.includes('pickup-code') ? body : undefined;
      });
      const orderNo = /订单号 <b>([^<]+)</.exec(page)![1]!;
      const code = /id="pickup-code">([^<]+)</.exec(page)![1]!;
      const kiosk = await kioskOf(t, a);
      const byCode = await phone(t, '192.0.2.31').submit(kiosk.path, { orderNo, code });
      expect(byCode.statusCode).toBe(200);
      const byLink = await phone(t, '192.0.2.32').submit(kiosk.path, { scanned: `http://127.0.0.1/r/t/${r.token}` });
      expect(byLink.statusCode).toBe(200);
      expect(byLink.body).toContain(orderNo.length > 0 ? '价税合计' : '');
    });

    it('a 码上开票 ticket’s QR (the order link) opens its invoice at the store’s kiosk only', async () => {
      const setting = await post(t, a, '/api/v1/scan/settings', {
        sellerTaxId: a.sellerTaxId,
        scanType: 'issue',
        allowedKinds: ['82'],
        validityDays: 30,
      });
      const { key } = setting.json<{ key: string }>();
      const order = await post(t, a, '/api/v1/scan/orders?wait=10', {
        settingKey: key,
        orderNo: `KIOSK${Date.now().toString(36)}`,
        lines: [
          { name: '工作餐', taxCode: '3070401000000000000', amount: '50.00', taxRate: '0.06', priceIncludesTax: true },
        ],
        buyer: { name: '北京测试科技有限公司', taxId: '91110000600037341L' },
      });
      expect(order.statusCode, order.body).toBe(201);
      const { url, orderNo } = order.json<{ url: string; orderNo: string }>();
      await waitFor(
        'the order invoiced',
        async () =>
          (await get(t, a, `/api/v1/scan/orders/${orderNo}`)).json<{ status: string }>().status === 'invoiced',
      );
      const kiosk = await kioskOf(t, a);
      const shown = await phone(t, '192.0.2.35').submit(kiosk.path, { scanned: url });
      expect(shown.statusCode).toBe(200);
      expect(shown.body).toContain('¥50.00');
      const other = await kioskOf(t, b);
      expect((await phone(t, '192.0.2.36').submit(other.path, { scanned: url })).statusCode).toBe(404);
    });

    it('rate-limits kiosk lookups per client (wrong codes count too)', async () => {
      const kiosk = await kioskOf(t, a);
      const p = phone(t, '192.0.2.40');
      const codes = [];
      for (let i = 0; i < 7; i++)
        codes.push((await p.submit(kiosk.path, { orderNo: 'SN1', code: '22222222' })).statusCode);
      expect(codes.slice(0, 6)).toEqual([404, 404, 404, 404, 404, 404]);
      expect(codes[6]).toBe(429);
      // Another client of the same kiosk is not affected.
      expect((await phone(t, '192.0.2.41').submit(kiosk.path, { orderNo: 'SN1', code: '22222222' })).statusCode).toBe(
        404,
      );
      t.clock.advance(60_000);
    });

    it('suggests company titles of this tenant’s issued invoices only — never a natural person', async () => {
      const company = makeUscc('91330100MA2CFX3K0');
      await issued(t, a, { name: '杭州联想测试科技有限公司', taxId: company });
      await issued(t, a, { name: '杭州联想测试个人', taxId: '110101199003077774', naturalPerson: true });
      await issued(t, b, { name: '杭州联想测试别家有限公司', taxId: makeUscc('91330100MA2CFX4K0') });
      const qr = await createQr(t, a);
      const ask = async (q: string, ip = '192.0.2.50') =>
        t.app.inject({
          method: 'GET',
          url: `/r/${qr.key}/titles?q=${encodeURIComponent(q)}`,
          headers: { 'x-forwarded-for': ip },
        });
      let n = 0;
      const items = await waitForValue('the directory', async () => {
        const found = (await ask('联想测试', `198.18.0.${n++ % 250}`)).json<{
          items: { name: string; taxId: string }[];
        }>().items;
        return found.length > 0 ? found : undefined;
      });
      // Tenant b's buyer (issued after the person) is in b's directory: the jobs before it have run.
      const qrB = await createQr(t, b);
      await waitFor(
        'the directory of b',
        async () =>
          (
            await t.app.inject({
              method: 'GET',
              url: `/r/${qrB.key}/titles?q=${encodeURIComponent('联想测试')}`,
              headers: { 'x-forwarded-for': '192.0.2.59' },
            })
          ).json<{ items: unknown[] }>().items.length === 1,
      );
      expect((await ask('联想测试')).json<{ items: unknown[] }>().items).toEqual([
        { name: '杭州联想测试科技有限公司', taxId: company },
      ]);
      expect(items).toEqual([{ name: '杭州联想测试科技有限公司', taxId: company }]);
      expect((await ask('联想')).json<{ items: unknown[] }>().items).toEqual([]);
      expect((await ask('%%%%')).json<{ items: unknown[] }>().items).toEqual([]);
      expect((await ask('x'.repeat(5000))).statusCode).toBe(200);
      // Unknown link: 404 JSON.
      const bad = await t.app.inject({ method: 'GET', url: '/r/AAAAAAAAAAA/titles?q=联想测试' });
      expect(bad.statusCode).toBe(404);
      expect(errorOf(bad).code).toBe('COUNTER_LINK_INVALID');
      // Rate-limited per client.
      const statuses = [];
      for (let i = 0; i < 31; i++) statuses.push((await ask('联想测试科技', '192.0.2.51')).statusCode);
      expect(statuses.slice(0, 30).every((s) => s === 200)).toBe(true);
      expect(statuses[30]).toBe(429);
    });

    it('the scan pages suggest too, from their own tenant', async () => {
      const setting = await post(t, a, '/api/v1/scan/settings', {
        sellerTaxId: a.sellerTaxId,
        scanType: 'issue',
        allowedKinds: ['82'],
        validityDays: 30,
        preset: { lines: [{ name: '餐费', taxCode: '3070401000000000000', taxRate: '0.06', amount: '10.00' }] },
      });
      expect(setting.statusCode, setting.body).toBe(201);
      const { key } = setting.json<{ key: string }>();
      const form = await t.app.inject({ method: 'GET', url: `/q/${key}` });
      expect(form.body).toContain(`data-suggest="/q/${key}/titles"`);
      const res = await t.app.inject({
        method: 'GET',
        url: `/q/${key}/titles?q=${encodeURIComponent('联想测试')}`,
        headers: { 'x-forwarded-for': '192.0.2.60' },
      });
      expect(res.json<{ items: { name: string }[] }>().items.map((i) => i.name)).toEqual(['杭州联想测试科技有限公司']);
    });
  });
}
