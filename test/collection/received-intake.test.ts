/** POST /api/v1/received-invoices (upload, ZIP, manual entry) and GET …/{id} on both dialects. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchFile, issueBlue, tempDataDir } from '../documents/documents-kit.js';
import { buildTestApp, errorOf, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { fixture, get, upload, zipOf } from './received-kit.js';

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: received-invoice intake`, () => {
    let t: TestApp;
    let a: SeededTenant;
    let b: SeededTenant;

    beforeAll(async () => {
      t = await buildTestApp(dialect, { DATA_DIR: tempDataDir() }, undefined, { worker: true });
      a = await seedTenant(t, 'A');
      b = await seedTenant(t, 'B');
    });
    afterAll(async () => t?.close());

    it('reads a real OFD into an item and answers it again for the same file', async () => {
      const res = await upload(t, a, [{ name: '1.ofd', data: fixture('ofdrw__ofdrw/1.ofd') }]);
      expect(res.statusCode).toBe(201);
      const body = res.json();
      expect(body.items).toHaveLength(1);
      const item = body.items[0];
      expect(item).toMatchObject({
        source: 'api',
        broughtBy: a.appId,
        kind: '026',
        kindName: '增值税电子普通发票',
        code: '033002000211',
        number: '83089647',
        issueDate: '2020-07-23',
        totals: { amount: '510.68', tax: '15.32', total: '526.00' },
        fileName: '1.ofd',
        verification: { status: 'pending', checkedAt: null, history: [] },
        compliance: { result: 'pending', findings: [] },
        duplicateOf: null,
        usageStatus: 'unused',
      });
      expect(item.id).toMatch(/^rcv_/);
      const again = await upload(t, a, [{ name: 'renamed.ofd', data: fixture('ofdrw__ofdrw/1.ofd') }]);
      expect(again.statusCode).toBe(200);
      expect(again.json().items.map((i: { id: string }) => i.id)).toEqual([item.id]);
      const view = await get(t, a, `/api/v1/received-invoices/${item.id}`);
      expect(view.statusCode).toBe(200);
      // The same item; its verification and compliance move on in the background (jobs after intake).
      const { verification: _v, compliance: _c, updatedAt: _u, ...rest } = view.json();
      const { verification: _v0, compliance: _c0, updatedAt: _u0, ...restAtIntake } = item;
      expect(rest).toEqual(restAtIntake);
      // Tenants are walls.
      expect((await get(t, b, `/api/v1/received-invoices/${item.id}`)).statusCode).toBe(404);
    });

    it('expands a ZIP of our own PDF, OFD and XML into items', async () => {
      const blue = await issueBlue(t, a);
      const files: Record<string, Buffer> = {};
      for (const format of ['pdf', 'xml']) {
        files[`x/${blue.serialNo}.${format}`] = (
          await fetchFile(t, a, `/api/v1/invoices/${blue.serialNo}/files/${format}`)
        ).rawPayload;
      }
      files['readme.txt'] = Buffer.from('hello');
      const res = await upload(t, a, [{ name: 'batch.zip', data: zipOf(files) }]);
      expect(res.statusCode).toBe(201);
      const items = res.json().items;
      expect(items).toHaveLength(2);
      expect(items.map((i: { number: string }) => i.number)).toEqual([blue.number, blue.number]);
      expect(items[1].duplicateOf).toBe(items[0].id);
    }, 60_000);

    it('takes a manual entry and refuses a bad one with every problem', async () => {
      const ok = await t.app.inject({
        method: 'POST',
        url: '/api/v1/received-invoices',
        headers: a.auth,
        payload: { number: '25310000000012345678', issueDate: '2025-05-20', total: '113.00' },
      });
      expect(ok.statusCode).toBe(201);
      expect(ok.json().items[0]).toMatchObject({ source: 'manual', kind: '82', totals: { total: '113.00' } });
      const bad = await t.app.inject({
        method: 'POST',
        url: '/api/v1/received-invoices',
        headers: a.auth,
        payload: { number: '12345678', issueDate: '2025-02-30' },
      });
      expect(bad.statusCode).toBe(422);
      expect(errorOf(bad).code).toBe('RECEIVED_ENTRY_INVALID');
      const fields = ((errorOf(bad).details?.problems ?? []) as Array<{ field: string }>).map((p) => p.field).sort();
      expect(fields).toEqual(['code', 'issueDate', 'total']);
    });
  });
}
