/** POST /api/v1/received-invoices (upload, ZIP, manual entry) and GET …/{id} on both dialects. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchFile, issueBlue, tempDataDir } from '../documents/documents-kit.js';
import { buildTestApp, errorOf, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { concatPdfs, MULTI_NUMBERS, threeInvoices } from '../parse/multi-invoice-kit.js';
import { fixture, get, upload, zipOf } from './received-kit.js';

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: received-invoice intake`, () => {
    let t: TestApp;
    let a: SeededTenant;
    let b: SeededTenant;

    beforeAll(async () => {
      // Pictures are read from their QR code here (OCR has its own suite in test/parse).
      t = await buildTestApp(dialect, { DATA_DIR: tempDataDir(), COLLECT_OCR: 'off' }, undefined, { worker: true });
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

    it('gives one item per invoice of a merged print (3 invoices → 3 items), the same 3 again', async () => {
      const issued = [await issueBlue(t, a), await issueBlue(t, a), await issueBlue(t, a)];
      const print = await t.app.inject({
        method: 'POST',
        url: '/api/v1/invoices/print',
        headers: a.auth,
        payload: { serialNos: issued.map((i) => i.serialNo), perPage: 1 },
      });
      expect(print.statusCode, print.body).toBe(200);
      const res = await upload(t, a, [{ name: '合并打印.pdf', data: print.rawPayload }]);
      expect(res.statusCode, res.body).toBe(201);
      const items = res.json().items as Array<{ id: string; number: string; fileName: string; duplicateOf: unknown }>;
      expect(items.map((i) => i.number)).toEqual(issued.map((i) => i.number));
      expect(items.every((i) => i.fileName === '合并打印.pdf')).toBe(true);
      const again = await upload(t, a, [{ name: 'again.pdf', data: print.rawPayload }]);
      expect(again.statusCode).toBe(200);
      expect(again.json().items.map((i: { id: string }) => i.id)).toEqual(items.map((i) => i.id));
      // The print route's default, two invoices per sheet: the same 3 invoices again, as duplicates of the first.
      const twoUp = await t.app.inject({
        method: 'POST',
        url: '/api/v1/invoices/print',
        headers: a.auth,
        payload: { serialNos: issued.map((i) => i.serialNo) },
      });
      expect(twoUp.statusCode, twoUp.body).toBe(200);
      const sheets = await upload(t, a, [{ name: '两张一页.pdf', data: twoUp.rawPayload }]);
      expect(sheets.statusCode, sheets.body).toBe(201);
      const sheetItems = sheets.json().items as Array<{ number: string; duplicateOf: string | null }>;
      expect(sheetItems.map((i) => i.number)).toEqual(issued.map((i) => i.number));
      expect(sheetItems.map((i) => i.duplicateOf)).toEqual(items.map((i) => i.id));
      // Several rendered invoices concatenated (one of two pages): 3 items too.
      const three = threeInvoices();
      const concatenated = await concatPdfs(three.map((x) => x.rendered.pdf));
      const other = await upload(t, b, [{ name: 'three.pdf', data: Buffer.from(concatenated) }]);
      expect(other.statusCode, other.body).toBe(201);
      const bItems = other.json().items as Array<{ id: string; number: string; totals: { total: string } }>;
      expect(bItems.map((i) => i.number)).toEqual([...MULTI_NUMBERS]);
      expect(bItems.map((i) => i.totals.total)).toEqual(three.map((x) => x.doc.totals.total));
      const bAgain = await upload(t, b, [{ name: 'three.pdf', data: Buffer.from(concatenated) }]);
      expect(bAgain.json().items.map((i: { id: string }) => i.id)).toEqual(bItems.map((i) => i.id));
      // Tenants are walls.
      expect((await get(t, a, `/api/v1/received-invoices/${bItems[0]?.id}`)).statusCode).toBe(404);
    }, 120_000);

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

    it('reads each format: our OFD, a 数电 PDF, an air-ticket PDF (passenger), a picture by its QR code', async () => {
      const blue = await issueBlue(t, a);
      const ofd = (await fetchFile(t, a, `/api/v1/invoices/${blue.serialNo}/files/ofd`)).rawPayload;
      const res = await upload(t, a, [
        { name: 'ours.ofd', data: ofd },
        { name: 'test.pdf', data: fixture('renoyuan__easyofd/test.pdf') },
        { name: 'air.pdf', data: fixture('ofdrw__ofdrw/xbrl-001.pdf') },
        { name: '电子发票.png', data: fixture('guanshuicheng__invoice/电子发票.png') },
      ]);
      expect(res.statusCode, res.body).toBe(201);
      const [mine, pdf, air, png] = res.json().items;
      expect(mine).toMatchObject({
        kind: '82',
        number: blue.number,
        seller: { taxId: a.sellerTaxId },
        fileName: 'ours.ofd',
      });
      expect(pdf).toMatchObject({
        kind: '81',
        number: '23512000000005197325',
        totals: { amount: '2129.34', tax: '21.29', total: '2150.63' },
      });
      expect(pdf.extraction.fieldSources.number).toBe('pdf-text');
      expect(air).toMatchObject({ kind: '61', issueDate: '2021-07-28' });
      expect(air.passenger).not.toBeNull();
      expect(png).toMatchObject({
        code: '012001800311',
        number: '33207675',
        issueDate: '2019-05-08',
        fileName: '电子发票.png',
      });
      expect(png.extraction.fieldSources.number).toBe('qr');
      expect(res.json().files.map((f: { error?: unknown }) => f.error ?? null)).toEqual([null, null, null, null]);
    }, 120_000);

    it('gives one set of items to concurrent uploads of the same file and of a ZIP holding it', async () => {
      const file = fixture('ofdrw__ofdrw/keyword2.ofd');
      const zip = zipOf({ 'a/keyword2.ofd': file, 'b/示例.ofd': fixture('ofdrw__ofdrw/发票示例.ofd') });
      const answers = await Promise.all([
        upload(t, a, [{ name: 'k.ofd', data: file }]),
        upload(t, a, [{ name: 'k2.ofd', data: file }]),
        upload(t, a, [{ name: 'k.zip', data: zip }]),
        upload(t, a, [{ name: 'k.zip', data: zip }]),
        upload(t, a, [{ name: 'k3.ofd', data: file }]),
      ]);
      for (const res of answers) expect([200, 201]).toContain(res.statusCode);
      const ids = answers.map((r) => r.json().items.find((i: { number: string }) => i.number === '31471858')?.id);
      expect(new Set(ids).size).toBe(1);
      expect(ids[0]).toMatch(/^rcv_/);
      const rows = await t.runtime.deps.db.kysely
        .selectFrom('received_invoices')
        .select(['id', 'number'])
        .where('tenant_id', '=', a.tenantId)
        .where('number', 'in', ['31471858', '99999951'])
        .where('deleted_at', 'is', null)
        .execute();
      expect(rows.map((r) => r.number).sort()).toEqual(['31471858', '99999951']);
      const files = await t.runtime.deps.db.kysely
        .selectFrom('received_files')
        .select('id')
        .where('tenant_id', '=', a.tenantId)
        .where('format', '=', 'zip')
        .where('file_name', '=', 'k.zip')
        .execute();
      expect(files).toHaveLength(1);
      // The ZIP in 收票箱: its entries, and the invoices read from them.
      const box = await get(t, a, `/api/v1/received-files/${files[0]!.id}`);
      expect(box.json()).toMatchObject({ status: 'archive', format: 'zip', fileName: 'k.zip' });
      expect(box.json().entries.map((e: { name: string }) => e.name)).toEqual(['a/keyword2.ofd', 'b/示例.ofd']);
      expect(
        box
          .json()
          .items.map((i: { number: string }) => i.number)
          .sort(),
      ).toEqual(['31471858', '99999951']);
    }, 120_000);

    it('answers the view in its exact shape', async () => {
      const org = await t.runtime.deps.db.kysely
        .selectFrom('orgs')
        .select('id')
        .where('tenant_id', '=', a.tenantId)
        .executeTakeFirstOrThrow();
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/received-invoices',
        headers: a.auth,
        payload: {
          number: '12345670',
          code: '044031900111',
          issueDate: '2024-12-31',
          amount: '100.00',
          total: '103.00',
          checkCode: '123456',
          buyerTaxId: a.sellerTaxId,
          note: '纸质发票',
        },
      });
      expect(res.statusCode, res.body).toBe(201);
      const item = res.json().items[0];
      expect(item).toEqual({
        id: item.id,
        sha256: null,
        fileName: null,
        source: 'manual',
        broughtBy: a.appId,
        broughtByName: 'test',
        buyerOrgId: org.id,
        kind: '026',
        kindName: '增值税电子普通发票',
        code: '044031900111',
        number: '12345670',
        issueDate: '2024-12-31',
        checkCode: '123456',
        seller: { name: null, taxId: null },
        buyer: { name: null, taxId: null },
        totals: { amount: '100.00', tax: '3.00', total: '103.00' },
        lines: [],
        remark: null,
        passenger: null,
        extraction: {
          fieldSources: {
            number: 'manual',
            issueDate: 'manual',
            code: 'manual',
            checkCode: 'manual',
            'totals.total': 'manual',
            'totals.amount': 'manual',
          },
          confidence: {
            number: 1,
            issueDate: 1,
            code: 1,
            checkCode: 1,
            'totals.total': 1,
            'totals.amount': 1,
          },
          warnings: [],
        },
        verification: { status: 'pending', checkedAt: null, history: [] },
        compliance: { result: 'pending', findings: [] },
        duplicateOf: null,
        usageStatus: 'unused',
        usage: { status: 'unused', claimed: '0.00', remaining: '103.00', bills: [], voucher: null },
        // A 普票 kind: never deductible, whatever its verification finds (src/tax/deduction-statuses.ts).
        deduction: {
          status: 'not_deductible',
          statusName: '不抵扣',
          reason: '该票种不可抵扣（仅专票、机动车发票、通行费发票和旅客运输客票）',
          period: null,
          tax: null,
          marked: false,
        },
        createdAt: '2025-06-01T10:00:00.000+08:00',
        updatedAt: '2025-06-01T10:00:00.000+08:00',
      });
      // The same item by GET; verification and compliance move on in the background (jobs after intake).
      const {
        verification: _v,
        compliance: _c,
        updatedAt: _u,
        ...later
      } = (await get(t, a, `/api/v1/received-invoices/${item.id}`)).json();
      const { verification: _v0, compliance: _c0, updatedAt: _u0, ...atIntake } = item;
      expect(later).toEqual(atIntake);
    });

    it('keeps a ZIP past the limits as a failed file, and lists entries it does not open', async () => {
      const many = zipOf(Object.fromEntries(Array.from({ length: 2001 }, (_, i) => [`${i}.xml`, Buffer.from('<a/>')])));
      const res = await upload(t, a, [{ name: 'bomb.zip', data: many }]);
      expect(res.statusCode).toBe(201);
      expect(res.json().items).toEqual([]);
      expect(res.json().files[0].error.code).toBe('INVOICE_FILE_ZIP_LIMIT');
      const box = await get(t, a, `/api/v1/received-files/${res.json().files[0].fileId}`);
      expect(box.json()).toMatchObject({ status: 'failed', format: 'zip', error: { code: 'INVOICE_FILE_ZIP_LIMIT' } });

      const mixed = zipOf({
        'note.txt': Buffer.from('not an invoice'),
        'inner.zip': zipOf({ 'x.ofd': fixture('ofdrw__ofdrw/1.ofd') }),
        'bad.pdf': Buffer.from('%PDF-1.4 broken'),
      });
      const res2 = await upload(t, a, [{ name: 'mixed.zip', data: mixed }]);
      expect(res2.statusCode).toBe(201);
      expect(res2.json().items).toEqual([]);
      const file = (await get(t, a, `/api/v1/received-files/${res2.json().files[0].fileId}`)).json();
      expect(file.status).toBe('archive');
      const byName = Object.fromEntries(
        file.entries.map((e: { name: string; fileId: string | null; error: { code: string } | null }) => [e.name, e]),
      );
      expect(byName['note.txt']).toMatchObject({ fileId: null, error: { code: 'INVOICE_FILE_UNSUPPORTED' } });
      expect(byName['inner.zip']).toMatchObject({ fileId: null, error: { code: 'INVOICE_FILE_UNSUPPORTED' } });
      expect(byName['bad.pdf'].fileId).toMatch(/^rcf_/);
      expect(byName['bad.pdf'].error.code).toMatch(/^INVOICE_FILE_/);
      // The broken entry is stored and downloadable as it was inside the ZIP.
      const bytes = await get(t, a, `/api/v1/received-files/${byName['bad.pdf'].fileId}/file`);
      expect(bytes.rawPayload.toString()).toBe('%PDF-1.4 broken');
    });
  });
}
