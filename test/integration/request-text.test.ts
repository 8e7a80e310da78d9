import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, errorOf, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { blueRequest, get, post } from '../invoicing/invoicing-kit.js';
import { COMPANY_TITLE, createScanSetting, orderBody, pushOrder, SCAN_ENV } from '../scan/scan-kit.js';

const json = { 'content-type': 'application/json' };

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: client text (encoding, control characters, empty bodies)`, () => {
    let t: TestApp;
    let a: SeededTenant;
    let key: string;

    beforeAll(async () => {
      t = await buildTestApp(dialect, SCAN_ENV);
      a = await seedTenant(t, 'A');
      key = (await createScanSetting(t, a)).key;
    });
    afterAll(async () => t?.close());

    it('refuses a NUL in buyer.name or buyer.address when issuing, and stores nothing', async () => {
      for (const [field, buyer] of [
        ['name', { name: '北京测试\u0000科技有限公司', taxId: '91110000600037341L' }],
        ['address', { name: '北京测试科技有限公司', taxId: '91110000600037341L', address: '北京市\u0000海淀区' }],
      ] as const) {
        const body = blueRequest(a, { buyer });
        const res = await post(t, a, '/api/v1/invoices', body);
        expect(res.statusCode, res.body).toBe(400);
        expect(errorOf(res)).toMatchObject({
          code: 'VALIDATION_FAILED',
          details: { errors: [{ path: `/body/buyer/${field}`, message: '不能包含控制字符或无效的 Unicode 字符' }] },
        });
        expect((await get(t, a, `/api/v1/invoices/${body.serialNo}`)).statusCode).toBe(404);
      }
    });

    it('refuses control characters and lone surrogates in any string of a JSON body, naming each field', async () => {
      const body = JSON.stringify(blueRequest(a, { remark: '第一行\n第二行\t备注' }))
        .replace('"工作餐"', '"工作\\u0007餐"')
        .replace('"铝锭"', '"铝\\u0085锭"')
        .replace('"A00"', '"A\\ud800"');
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/invoices',
        headers: { ...a.auth, ...json },
        payload: body,
      });
      expect(res.statusCode).toBe(400);
      expect(errorOf(res).code).toBe('VALIDATION_FAILED');
      expect((errorOf(res).details?.errors as Array<{ path: string }> | undefined)?.map((e) => e.path)).toEqual([
        '/body/lines/0/name',
        '/body/lines/1/name',
        '/body/lines/1/spec',
      ]);
      // TAB, LF and CR are text: a multi-line remark is accepted and kept as sent.
      const multiLine = blueRequest(a, { remark: '第一行\r\n第二行\t备注' });
      expect((await post(t, a, '/api/v1/invoices', multiLine)).statusCode).toBe(202);
      expect((await get(t, a, `/api/v1/invoices/${multiLine.serialNo}`)).json().remark).toBe('第一行\r\n第二行\t备注');
    });

    it('refuses invalid UTF-8 in a JSON body with INVALID_ENCODING and creates nothing', async () => {
      const before = (await get(t, a, '/api/v1/apps')).json().items.length;
      const payload = Buffer.concat([Buffer.from('{"name":"ERP'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/apps', headers: { ...a.auth, ...json }, payload });
      expect(res.statusCode).toBe(400);
      expect(errorOf(res)).toMatchObject({ code: 'INVALID_ENCODING', message: '请求内容不是有效的 UTF-8 编码' });
      expect((await get(t, a, '/api/v1/apps')).json().items).toHaveLength(before);
    });

    it('treats an empty JSON body on an action endpoint as {}', async () => {
      const order = await pushOrder(t, a, orderBody(key));
      const withdrawn = await t.app.inject({
        method: 'POST',
        url: `/api/v1/scan/orders/${order.orderNo}/withdraw`,
        headers: { ...a.auth, ...json },
        payload: '',
      });
      expect(withdrawn.statusCode, withdrawn.body).toBe(200);
      expect(withdrawn.json().status).toBe('withdrawn');
      const invoice = blueRequest(a);
      expect((await post(t, a, '/api/v1/invoices', invoice)).statusCode).toBe(202);
      const cancelled = await t.app.inject({
        method: 'POST',
        url: `/api/v1/invoices/${invoice.serialNo}/cancel`,
        headers: { ...a.auth, ...json },
        payload: ' \r\n',
      });
      expect(cancelled.statusCode, cancelled.body).toBe(200);
      expect(cancelled.json().status).toBe('cancelled');
    });

    it('refuses a NUL in a path parameter or a query value, naming it', async () => {
      const param = await t.app.inject({ url: '/api/v1/orgs/%00', headers: a.auth });
      expect(param.statusCode).toBe(400);
      expect(errorOf(param).details?.errors).toEqual([
        { path: '/params/taxId', message: '不能包含控制字符或无效的 Unicode 字符' },
      ]);
      const query = await t.app.inject({ url: '/api/v1/webhook-deliveries?serialNo=a%00b', headers: a.auth });
      expect(query.statusCode).toBe(400);
      expect(errorOf(query).details?.errors).toEqual([
        { path: '/querystring/serialNo', message: '不能包含控制字符或无效的 Unicode 字符' },
      ]);
    });

    it('refuses control characters and invalid UTF-8 in an H5 form post; the order stays open', async () => {
      const order = await pushOrder(t, a, orderBody(key));
      const path = new URL(order.url).pathname;
      const page = await t.app.inject({ url: path });
      const cookie = String(page.headers['set-cookie']).split(';')[0]!;
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
      const form = (fields: string) =>
        t.app.inject({
          method: 'POST',
          url: path,
          headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
          payload: `_csrf=${encodeURIComponent(csrf)}&kind=82&${fields}`,
        });
      const title = new URLSearchParams({ ...COMPANY_TITLE, name: '北京测试\u0000科技有限公司' }).toString();
      const nul = await form(title);
      expect(nul.statusCode).toBe(400);
      expect(nul.headers['content-type']).toContain('text/html');
      expect(nul.body).toContain('VALIDATION_FAILED');
      const badUtf8 = await form(`${new URLSearchParams(COMPANY_TITLE).toString()}&email=%FF%FE`);
      expect(badUtf8.statusCode).toBe(400);
      expect(badUtf8.body).toContain('INVALID_ENCODING');
      expect((await get(t, a, `/api/v1/scan/orders/${order.orderNo}`)).json().status).toBe('open');
    });
  });
}
