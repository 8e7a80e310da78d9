import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrg } from '../../src/modules/orgs/index.js';
import { type ConsoleSession, loginAs, seedUser } from '../auth/console-kit.js';
import { buildTestApp, errorOf, makeUscc, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { CATERING, get, METALS, post, SOFTWARE } from '../invoicing/invoicing-kit.js';

const AGENCY = '3040802010200000000'; // 免税 by default: only 0 %

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: 商品档案 API`, () => {
    let t: TestApp;
    let a: SeededTenant;
    let b: SeededTenant;
    let otherOrg: string;
    let clerk: ConsoleSession;
    let auditor: ConsoleSession;

    beforeAll(async () => {
      t = await buildTestApp(dialect);
      a = await seedTenant(t, 'A');
      b = await seedTenant(t, 'B');
      otherOrg = makeUscc('91310115MA1K4Q9XX');
      await createOrg({ db: t.runtime.deps.db.kysely, clock: t.clock }, a.tenantId, {
        taxId: otherOrg,
        name: 'A 分店',
      });
      clerk = await loginAs(t, await seedUser(t, a.tenantId, 'clerk', { orgTaxIds: [a.sellerTaxId] }));
      auditor = await loginAs(t, await seedUser(t, a.tenantId, 'auditor'));
    });
    afterAll(async () => t?.close());

    const patch = (who: SeededTenant, id: string, payload: object) =>
      t.app.inject({ method: 'PATCH', url: `/api/v1/catalogue/items/${id}`, headers: who.auth, payload });
    const item = (overrides: Record<string, unknown> = {}) => ({
      sellerTaxId: a.sellerTaxId,
      name: '牛肉面',
      unit: '碗',
      taxCode: CATERING,
      taxRate: '0.06',
      unitPrice: '28.00',
      ...overrides,
    });

    it('creates, reads, lists, searches, updates and deletes an item, audited', async () => {
      const created = await post(t, a, '/api/v1/catalogue/items', item({ spec: '大碗' }));
      expect(created.statusCode, created.body).toBe(201);
      const view = created.json();
      expect(view).toMatchObject({
        sellerTaxId: a.sellerTaxId,
        name: '牛肉面',
        spec: '大碗',
        unit: '碗',
        taxCode: CATERING,
        shortName: '餐饮服务',
        taxRate: '0.06',
        unitPrice: '28.00',
        taxInclusive: true,
        enabled: true,
      });
      expect((await get(t, a, `/api/v1/catalogue/items/${view.id}`)).json().name).toBe('牛肉面');

      await post(t, a, '/api/v1/catalogue/items', item({ name: '软件定制', taxCode: SOFTWARE, unitPrice: '1000' }));
      const byName = (await get(t, a, `/api/v1/catalogue/items?q=${encodeURIComponent('牛肉')}`)).json();
      expect(byName.items.map((i: { name: string }) => i.name)).toEqual(['牛肉面']);
      const byCode = (await get(t, a, '/api/v1/catalogue/items?q=30402')).json();
      expect(byCode.items.map((i: { name: string }) => i.name)).toEqual(['软件定制']);

      const changed = await patch(a, view.id, { unitPrice: '30.50', taxInclusive: false, spec: null, enabled: false });
      expect(changed.statusCode, changed.body).toBe(200);
      expect(changed.json()).toMatchObject({ unitPrice: '30.50', taxInclusive: false, spec: null, enabled: false });
      const enabledOnly = (await get(t, a, '/api/v1/catalogue/items?enabled=true')).json();
      expect(enabledOnly.items.map((i: { name: string }) => i.name)).toEqual(['软件定制']);

      const del = await t.app.inject({ method: 'DELETE', url: `/api/v1/catalogue/items/${view.id}`, headers: a.auth });
      expect(del.statusCode).toBe(204);
      expect((await get(t, a, `/api/v1/catalogue/items/${view.id}`)).statusCode).toBe(404);

      const log = await t.app.inject({ url: '/api/v1/audit-log?action=catalogue.items', headers: auditor.read });
      expect(log.json().items.map((e: { action: string }) => e.action)).toEqual(
        expect.arrayContaining(['catalogue.items.create', 'catalogue.items.update', 'catalogue.items.delete']),
      );
    });

    it('validates the tax code against the table and the rate against the code', async () => {
      const cases: [Record<string, unknown>, string, RegExp][] = [
        [{ taxCode: '123' }, 'taxCode', /19 位/],
        [{ taxCode: '3070401999999999999' }, 'taxCode', /不在编码表/],
        [{ taxRate: '0.13' }, 'taxRate', /不适用于编码 3070401000000000000（餐饮服务），可选 6%、5%、3%、1%、0%/],
        [{ taxCode: AGENCY, taxRate: '0.06' }, 'taxRate', /可选 0%/],
        [{ unitPrice: '0' }, 'unitPrice', /大于 0/],
        [{ unitPrice: '-1' }, 'unitPrice', /正数/],
        [{ name: '*餐饮服务*面' }, 'name', /简称/],
      ];
      for (const [overrides, field, message] of cases) {
        const res = await post(t, a, '/api/v1/catalogue/items', item({ name: `面${field}`, ...overrides }));
        expect(res.statusCode, res.body).toBe(422);
        const error = errorOf(res);
        expect(error.code).toBe('CATALOGUE_ITEM_INVALID');
        expect(error.details?.errors).toEqual([{ field, message: expect.stringMatching(message) }]);
      }
      expect(
        (await post(t, a, '/api/v1/catalogue/items', item({ name: '钢材', taxCode: METALS, taxRate: '0.13' })))
          .statusCode,
      ).toBe(201);
      expect(
        (await post(t, a, '/api/v1/catalogue/items', item({ name: '代理', taxCode: AGENCY, taxRate: '0' }))).statusCode,
      ).toBe(201);
      // The same name and spec twice: 409.
      expect(
        errorOf(await post(t, a, '/api/v1/catalogue/items', item({ name: '钢材', taxCode: METALS, taxRate: '0.13' })))
          .code,
      ).toBe('CATALOGUE_ITEM_EXISTS');
      // An unknown seller: 422.
      expect(errorOf(await post(t, a, '/api/v1/catalogue/items', item({ sellerTaxId: b.sellerTaxId }))).code).toBe(
        'SELLER_NOT_FOUND',
      );
    });

    it('offers the tax-code picker by code or name with each code’s rates', async () => {
      const byName = (await get(t, a, `/api/v1/catalogue/tax-codes?q=${encodeURIComponent('餐饮')}`)).json();
      expect(byName.items[0]).toEqual({
        code: CATERING,
        name: '餐饮服务',
        shortName: '餐饮服务',
        defaultRate: '0.06',
        allowedRates: ['0.06', '0.05', '0.03', '0.01', '0'],
      });
      const byCode = (await get(t, a, '/api/v1/catalogue/tax-codes?q=30408')).json();
      expect(byCode.items.map((i: { code: string; allowedRates: string[] }) => [i.code, i.allowedRates])).toEqual([
        [AGENCY, ['0']],
      ]);
    });

    it('imports CSV all-or-nothing with a row-by-row error report, and exports what it reads back', async () => {
      const csv = [
        '名称,规格型号,单位,税收分类编码,税率,单价,含税',
        '拿铁,大杯,杯,3070401000000000000,6%,32,是',
        '美式,,杯,3070401000000000000,13%,25,是',
        '蛋糕,,块,307040100000000000X,6%,18,是',
        '拿铁,大杯,杯,3070401000000000000,6%,33,是',
        '茶,,壶,3070401000000000000,6%,abc,也许',
      ].join('\r\n');
      const bad = await post(t, a, '/api/v1/catalogue/items/import', { sellerTaxId: a.sellerTaxId, csv });
      expect(bad.statusCode, bad.body).toBe(422);
      const error = errorOf(bad);
      expect(error.code).toBe('CATALOGUE_IMPORT_INVALID');
      expect(error.details).toMatchObject({ invalidRows: 4, totalRows: 5 });
      const rows = error.details?.rows as { line: number; name: string | null; errors: { field: string }[] }[];
      expect(rows.map((r) => [r.line, r.errors.map((e) => e.field)])).toEqual([
        [3, ['taxRate']],
        [4, ['taxCode']],
        [5, ['name']],
        [6, ['taxInclusive']],
      ]);
      // Nothing was imported.
      expect((await get(t, a, `/api/v1/catalogue/items?q=${encodeURIComponent('拿铁')}`)).json().items).toEqual([]);

      const good = [
        '名称,单位,税收分类编码,税率,单价,含税',
        '拿铁,杯,3070401000000000000,6%,32,是',
        '"=摩卡",杯,3070401000000000000,0.06,30.5,否',
      ].join('\n');
      const dry = await post(t, a, '/api/v1/catalogue/items/import', {
        sellerTaxId: a.sellerTaxId,
        csv: good,
        dryRun: true,
      });
      expect(dry.json()).toEqual({ created: 2, updated: 0, unchanged: 0, dryRun: true });
      expect((await get(t, a, `/api/v1/catalogue/items?q=${encodeURIComponent('拿铁')}`)).json().items).toEqual([]);
      const ok = await post(t, a, '/api/v1/catalogue/items/import', { sellerTaxId: a.sellerTaxId, csv: good });
      expect(ok.json()).toEqual({ created: 2, updated: 0, unchanged: 0, dryRun: false });

      const exported = await get(t, a, `/api/v1/catalogue/items/export.csv?sellerTaxId=${a.sellerTaxId}`);
      expect(exported.statusCode).toBe(200);
      expect(exported.headers['content-type']).toMatch(/^text\/csv/);
      expect(exported.body).toContain(`"'=摩卡"`);
      expect(exported.body).toContain('"\t3070401000000000000"');
      // The export reads back unchanged; a changed price updates the item.
      const again = await post(t, a, '/api/v1/catalogue/items/import', {
        sellerTaxId: a.sellerTaxId,
        csv: exported.body,
      });
      expect(again.json()).toMatchObject({ created: 0, updated: 0 });
      const repriced = exported.body.replace('"32"', '"35"');
      expect(
        (await post(t, a, '/api/v1/catalogue/items/import', { sellerTaxId: a.sellerTaxId, csv: repriced })).json(),
      ).toMatchObject({
        created: 0,
        updated: 1,
      });
      const latte = (await get(t, a, `/api/v1/catalogue/items?q=${encodeURIComponent('拿铁')}`)).json().items[0];
      expect(latte).toMatchObject({ unitPrice: '35', taxRate: '0.06', taxInclusive: true });
      const mocha = (await get(t, a, `/api/v1/catalogue/items?q=${encodeURIComponent('摩卡')}`)).json().items[0];
      expect(mocha).toMatchObject({ name: '=摩卡', taxInclusive: false });

      const noHeader = await post(t, a, '/api/v1/catalogue/items/import', {
        sellerTaxId: a.sellerTaxId,
        csv: '拿铁,杯\n',
      });
      expect(errorOf(noHeader)).toMatchObject({
        code: 'CATALOGUE_IMPORT_INVALID',
        message: expect.stringMatching(/表头缺少列/),
      });
    });

    it('scopes a clerk to their seller orgs and walls tenants off', async () => {
      const mine = (await post(t, a, '/api/v1/catalogue/items', item({ name: '本店商品' }))).json();
      const theirs = (
        await post(t, a, '/api/v1/catalogue/items', item({ sellerTaxId: otherOrg, name: '分店商品' }))
      ).json();
      const clerkPost = (payload: object) =>
        t.app.inject({ method: 'POST', url: '/api/v1/catalogue/items', headers: clerk.write, payload });
      expect((await clerkPost(item({ name: '店员加的' }))).statusCode).toBe(201);
      const refused = await clerkPost(item({ sellerTaxId: otherOrg, name: '越权' }));
      expect(refused.statusCode).toBe(403);
      expect(errorOf(refused).code).toBe('ORG_NOT_ASSIGNED');
      const other = await t.app.inject({ url: `/api/v1/catalogue/items/${theirs.id}`, headers: clerk.read });
      expect(errorOf(other).code).toBe('ORG_NOT_ASSIGNED');
      const list = (await t.app.inject({ url: '/api/v1/catalogue/items?limit=200', headers: clerk.read })).json();
      expect(list.items.every((i: { sellerTaxId: string }) => i.sellerTaxId === a.sellerTaxId)).toBe(true);
      expect(list.items.some((i: { id: string }) => i.id === mine.id)).toBe(true);
      const exportOther = await t.app.inject({
        url: `/api/v1/catalogue/items/export.csv?sellerTaxId=${otherOrg}`,
        headers: clerk.read,
      });
      expect(exportOther.statusCode).toBe(403);

      // Tenant B sees none of A's items: 404 on read, change and delete; its list is empty.
      expect(errorOf(await get(t, b, `/api/v1/catalogue/items/${mine.id}`)).code).toBe('CATALOGUE_ITEM_NOT_FOUND');
      expect((await patch(b, mine.id, { unitPrice: '1' })).statusCode).toBe(404);
      const del = await t.app.inject({ method: 'DELETE', url: `/api/v1/catalogue/items/${mine.id}`, headers: b.auth });
      expect(del.statusCode).toBe(404);
      expect((await get(t, b, '/api/v1/catalogue/items')).json().items).toEqual([]);
    });
  });
}
