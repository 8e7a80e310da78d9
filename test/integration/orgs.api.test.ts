import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, errorOf, makeUscc, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: seller orgs`, () => {
    let t: TestApp;
    let a: SeededTenant;
    let b: SeededTenant;
    const taxId = makeUscc('91440101MA5CXXXX1');

    beforeAll(async () => {
      t = await buildTestApp(dialect);
      a = await seedTenant(t, 'A');
      b = await seedTenant(t, 'B');
    });
    afterAll(async () => t?.close());

    it('creates, reads, lists and patches an org', async () => {
      const created = await t.app.inject({
        method: 'POST',
        url: '/api/v1/orgs',
        headers: a.auth,
        payload: {
          taxId,
          name: '广州测试有限公司',
          address: '广州市天河区',
          bankName: '招商银行',
          bankAccount: '6225',
        },
      });
      expect(created.statusCode).toBe(201);
      expect(created.json()).toMatchObject({ taxId, name: '广州测试有限公司', regionCode: '440101', phone: null });

      const got = await t.app.inject({ url: `/api/v1/orgs/${taxId}`, headers: a.auth });
      expect(got.json()).toMatchObject({ taxId, address: '广州市天河区' });

      const patched = await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/orgs/${taxId}`,
        headers: a.auth,
        payload: { phone: '020-88886666', address: null },
      });
      expect(patched.statusCode).toBe(200);
      expect(patched.json()).toMatchObject({ phone: '020-88886666', address: null, name: '广州测试有限公司' });

      const list = await t.app.inject({ url: '/api/v1/orgs', headers: a.auth });
      expect(list.json<{ items: { taxId: string }[] }>().items.map((o) => o.taxId)).toEqual([a.sellerTaxId, taxId]);
    });

    it('refuses a duplicate tax id with ORG_EXISTS', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/orgs',
        headers: a.auth,
        payload: { taxId, name: 'dup' },
      });
      expect(res.statusCode).toBe(409);
      expect(errorOf(res).code).toBe('ORG_EXISTS');
    });

    it('refuses a tax id with a wrong USCC check character and says the right one', async () => {
      const wrong = `${taxId.slice(0, 17)}${taxId[17] === '0' ? '1' : '0'}`;
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/orgs',
        headers: a.auth,
        payload: { taxId: wrong, name: 'x' },
      });
      expect(res.statusCode).toBe(422);
      const err = errorOf(res);
      expect(err.code).toBe('ORG_TAX_ID_INVALID');
      expect(err.details).toMatchObject({ expectedCheckChar: taxId[17] });
      expect(err.message).toContain('校验位');
    });

    it('reports schema failures as VALIDATION_FAILED with field paths', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/orgs',
        headers: a.auth,
        payload: { taxId: 'bad id!', regionCode: '12', extra: true },
      });
      expect(res.statusCode).toBe(400);
      const err = errorOf(res);
      expect(err.code).toBe('VALIDATION_FAILED');
      expect(err.message).toBe('请求参数校验失败');
      const paths = (err.details!.errors as { path: string }[]).map((e) => e.path).sort();
      expect(paths).toEqual(expect.arrayContaining(['/body/name', '/body/taxId', '/body/regionCode', '/body/extra']));
      expect(err.requestId).toBe(res.headers['x-request-id']);
    });

    it('shows another tenant’s org as 404, never its data, and cannot change it', async () => {
      const get = await t.app.inject({ url: `/api/v1/orgs/${taxId}`, headers: b.auth });
      expect(get.statusCode).toBe(404);
      expect(errorOf(get).code).toBe('ORG_NOT_FOUND');
      expect(get.body).not.toContain('广州测试');
      const patch = await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/orgs/${taxId}`,
        headers: b.auth,
        payload: { name: 'hijack' },
      });
      expect(patch.statusCode).toBe(404);
      const list = await t.app.inject({ url: '/api/v1/orgs', headers: b.auth });
      expect(list.json<{ items: { taxId: string }[] }>().items.map((o) => o.taxId)).toEqual([b.sellerTaxId]);
      const stillA = await t.app.inject({ url: `/api/v1/orgs/${taxId}`, headers: a.auth });
      expect(stillA.json<{ name: string }>().name).toBe('广州测试有限公司');
    });

    it('lets two tenants register the same seller separately', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/orgs',
        headers: b.auth,
        payload: { taxId, name: 'B 的同名企业' },
      });
      expect(res.statusCode).toBe(201);
      const fromA = await t.app.inject({ url: `/api/v1/orgs/${taxId}`, headers: a.auth });
      expect(fromA.json<{ name: string }>().name).toBe('广州测试有限公司');
    });
  });
}
