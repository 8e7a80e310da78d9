/**
 * The received-invoice pool on both dialects: list filters and cursor pages, CSV/XLSX export, original files,
 * 收票箱 (failed parses included), delete rules with their audit entry, duplicates, webhooks, sources, tenants.
 */
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, seedUser } from '../auth/console-kit.js';
import { createReceiver, createSystem, type Receiver } from '../delivery/delivery-kit.js';
import { tempDataDir } from '../documents/documents-kit.js';
import { countStatements } from '../helpers/statement-count.js';
import { buildTestApp, errorOf, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { waitForValue } from '../helpers/wait.js';
import { fixture, get, upload } from './received-kit.js';

const KEY = 'test-secret-encryption-key-0123456789abcdef';

interface View {
  id: string;
  number: string | null;
  kind: string;
  source: string;
  broughtBy: string | null;
  broughtByName: string | null;
  duplicateOf: string | null;
  sha256: string | null;
  seller: { name: string | null; taxId: string | null };
}

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: received-invoice pool`, () => {
    let t: TestApp;
    let a: SeededTenant;
    let b: SeededTenant;
    let receiver: Receiver;
    const ofd1 = fixture('ofdrw__ofdrw/1.ofd');
    const ofd999 = fixture('ofdrw__ofdrw/999.ofd');
    const pdf = fixture('renoyuan__easyofd/test.pdf');

    const manual = (who: { auth: Record<string, string> }, payload: Record<string, unknown>) =>
      t.app.inject({ method: 'POST', url: '/api/v1/received-invoices', headers: who.auth, payload });
    const list = async (query: string, who: SeededTenant = a) => {
      const res = await get(t, who, `/api/v1/received-invoices?${query}`);
      expect(res.statusCode, res.body).toBe(200);
      return res.json<{ items: View[]; nextCursor: string | null }>();
    };

    beforeAll(async () => {
      t = await buildTestApp(
        dialect,
        { DATA_DIR: tempDataDir(), SECRET_ENCRYPTION_KEY: KEY, OUTBOUND_ALLOWED_HOSTS: '127.0.0.1' },
        undefined,
        { worker: true },
      );
      a = await seedTenant(t, 'A');
      b = await seedTenant(t, 'B');
      receiver = await createReceiver();
      await createSystem(t, a, {
        code: 'ERP',
        name: 'ERP',
        callbackUrl: receiver.url,
        events: ['received.created'],
      });
    });
    afterAll(async () => {
      await receiver?.stop();
      await t?.close();
    });

    it('two tenants uploading the same file each see only their own item', async () => {
      const ra = await upload(t, a, [{ name: '999.ofd', data: ofd999 }]);
      const rb = await upload(t, b, [{ name: '999.ofd', data: ofd999 }]);
      expect(ra.statusCode).toBe(201);
      expect(rb.statusCode).toBe(201);
      const ia = ra.json().items[0] as View;
      const ib = rb.json().items[0] as View;
      expect(ia.id).not.toBe(ib.id);
      expect(ia.sha256).toBe(ib.sha256);
      expect(ia.number).toBe('12235358');
      expect((await list('', b)).items.map((i) => i.id)).toEqual([ib.id]);
      expect((await get(t, b, `/api/v1/received-invoices/${ia.id}`)).statusCode).toBe(404);
      expect((await get(t, b, `/api/v1/received-invoices/${ia.id}/file`)).statusCode).toBe(404);
      const fileId = ra.json().files[0].fileId;
      expect((await get(t, b, `/api/v1/received-files/${fileId}/file`)).statusCode).toBe(404);
      expect((await get(t, b, `/api/v1/received-files/${fileId}`)).statusCode).toBe(404);
      const del = await t.app.inject({ method: 'DELETE', url: `/api/v1/received-invoices/${ia.id}`, headers: b.auth });
      expect(del.statusCode).toBe(404);
    });

    it('publishes received.created to the subscribed business system with the item', async () => {
      const item = (await list('q=12235358')).items[0]!;
      const hook = await waitForValue('the received.created webhook', () =>
        receiver.received.find((r) => JSON.parse(r.body).data?.id === item.id),
      );
      const body = JSON.parse(hook.body);
      expect(body).toMatchObject({ type: 'received.created', data: { id: item.id, number: '12235358' } });
    });

    it('records a console user as `upload` and an API app as `api`, and filters by them', async () => {
      const user = await seedUser(t, a.tenantId, 'finance');
      const session = await loginAs(t, user);
      const res = await upload(t, { auth: session.write }, [{ name: 'test.pdf', data: pdf }]);
      expect(res.statusCode, res.body).toBe(201);
      const item = res.json().items[0] as View;
      expect(item).toMatchObject({ source: 'upload', broughtBy: user.id, kind: '81' });
      expect((await list('source=upload')).items.map((i) => i.id)).toEqual([item.id]);
      expect((await list(`broughtBy=${user.id}`)).items.map((i) => i.id)).toEqual([item.id]);
      expect((await list('source=api')).items.every((i) => i.source === 'api')).toBe(true);
      // Shown by name (the user's display name, the app's name); the filter also takes what the console shows.
      const db = t.runtime.deps.db.kysely;
      await db.updateTable('users').set({ display_name: '王会计' }).where('id', '=', user.id).execute();
      expect((await list(`broughtBy=${user.id}`)).items[0]).toMatchObject({
        broughtBy: user.id,
        broughtByName: '王会计',
      });
      expect((await list(`broughtBy=${encodeURIComponent('王会计')}`)).items.map((i) => i.id)).toEqual([item.id]);
      expect((await list(`broughtBy=${user.username}`)).items.map((i) => i.id)).toEqual([item.id]);
      // As typed in a search box: blanks around it do not count; a blank value is no filter.
      expect((await list(`broughtBy=${encodeURIComponent(' 王会计 ')}`)).items.map((i) => i.id)).toEqual([item.id]);
      expect((await list('broughtBy=%20&limit=200')).items.length).toBe((await list('limit=200')).items.length);
      const byApp = (await list('source=api')).items;
      expect(byApp.length).toBeGreaterThan(0);
      expect(byApp.every((i) => i.broughtBy === a.appId && i.broughtByName === 'test')).toBe(true);
      expect((await list('broughtBy=test&source=api')).items.map((i) => i.id)).toEqual(byApp.map((i) => i.id));
      // The files of 收票箱 too; and the export's 提交人 column.
      const files = await get(t, { auth: session.read }, '/api/v1/received-files?source=upload');
      expect(files.statusCode, files.body).toBe(200);
      const file = files.json().items.find((f: { broughtBy: string }) => f.broughtBy === user.id);
      expect(file).toMatchObject({ broughtByName: '王会计', items: [{ id: item.id, broughtByName: '王会计' }] });
      if (dialect.name === 'postgres') {
        // Who brought a page of files and their items: one lookup for both (users, then apps), not one each.
        const counted = await countStatements(async () => {
          expect((await get(t, { auth: session.read }, '/api/v1/received-files?source=upload')).statusCode).toBe(200);
        });
        const lookups = counted.texts.filter((s) =>
          /from "(users|api_apps)" where "tenant_id" = \$1 and "(id|app_id)" in/.test(s),
        );
        expect(lookups, counted.texts.join('\n---\n')).toHaveLength(2);
      }
      const csv = await get(t, b, `/api/v1/received-invoices/export.csv?ids=${item.id}`);
      expect(csv.body).not.toContain('王会计'); // not B's
      const ownCsv = await get(t, { auth: session.read }, `/api/v1/received-invoices/export.csv?ids=${item.id}`);
      expect(ownCsv.body).toContain('王会计');
      expect(ownCsv.body).not.toContain(user.id);
      // Names stay within their tenant: B's user of the same name does not widen A's filter, nor name A's items.
      const other = await seedUser(t, b.tenantId, 'finance');
      await db.updateTable('users').set({ display_name: '王会计' }).where('id', '=', other.id).execute();
      expect((await list(`broughtBy=${encodeURIComponent('王会计')}`)).items.map((i) => i.id)).toEqual([item.id]);
      expect((await list(`broughtBy=${encodeURIComponent('王会计')}`, b)).items).toEqual([]);
      // A clerk has no received.* permission; an auditor reads but does not upload.
      const clerk = await loginAs(t, await seedUser(t, a.tenantId, 'clerk'));
      expect((await get(t, { auth: clerk.read }, '/api/v1/received-invoices')).statusCode).toBe(403);
      const auditor = await loginAs(t, await seedUser(t, a.tenantId, 'auditor'));
      expect((await get(t, { auth: auditor.read }, '/api/v1/received-invoices')).statusCode).toBe(200);
      const denied = await upload(t, { auth: auditor.write }, [{ name: 'x.pdf', data: pdf }]);
      expect(denied.statusCode).toBe(403);
    });

    it('filters the pool and pages it with a cursor', async () => {
      await upload(t, a, [{ name: '1.ofd', data: ofd1 }]);
      for (const n of ['24310000000000000001', '24310000000000000002', '24310000000000000003']) {
        expect((await manual(a, { number: n, issueDate: '2024-03-01', total: '10.00' })).statusCode).toBe(201);
      }
      const all = await list('');
      expect(all.items.length).toBe(6);
      const ids = all.items.map((i) => i.id);
      expect([...ids].sort().reverse()).toEqual(ids);
      const first = await list('limit=4');
      expect(first.items).toHaveLength(4);
      const second = await list(`limit=4&cursor=${first.nextCursor}`);
      expect(second.nextCursor).toBeNull();
      expect([...first.items, ...second.items].map((i) => i.id)).toEqual(ids);

      expect((await list('kind=026')).items.map((i) => i.number).sort()).toEqual(['12235358', '83089647']);
      expect((await list('sellerName=悦济舫')).items.map((i) => i.number)).toEqual(['83089647']);
      expect((await list('sellerTaxId=92330781ma2edmfu50')).items.map((i) => i.number)).toEqual(['83089647']);
      expect((await list('issueDateFrom=2020-08-01&issueDateTo=2020-08-31')).items.map((i) => i.number)).toEqual([
        '12235358',
      ]);
      expect((await list('source=manual')).items).toHaveLength(3);
      expect((await list('q=2431000000000000000')).items).toHaveLength(3);
      // None is on the sandbox platform: each stays pending until its verification job answers 查无此票 (or 超过五年).
      expect((await list('verification=pending,not_found,too_old,unverifiable')).items).toHaveLength(6);
      expect((await list('verification=normal')).items).toHaveLength(0);
      expect((await list('compliance=pending,pass,warn,block')).items).toHaveLength(6);
      expect((await list('createdFrom=2025-06-01&createdTo=2025-06-01')).items).toHaveLength(6);
      expect((await list('createdTo=2025-05-31')).items).toHaveLength(0);
      const bad = await get(t, a, '/api/v1/received-invoices?q=abc');
      expect(bad.statusCode).toBe(400);
      // A value a list filter does not know is refused by name, not ignored (all) nor matched (none).
      for (const [query, path] of [
        ['verification=pending,zz', '/querystring/verification'],
        ['kinds=026,zz', '/querystring/kinds'],
        ['compliance=maybe', '/querystring/compliance'],
      ]) {
        const refused = await get(t, a, `/api/v1/received-invoices?${query}`);
        expect(refused.statusCode).toBe(400);
        expect(errorOf(refused)).toMatchObject({ code: 'VALIDATION_FAILED', details: { errors: [{ path }] } });
      }
      expect((await get(t, a, '/api/v1/received-invoices/export.csv?kinds=zz')).statusCode).toBe(400);
    });

    it('exports CSV and XLSX with numbers as text', async () => {
      const csv = await get(t, a, '/api/v1/received-invoices/export.csv?kind=026');
      expect(csv.statusCode).toBe(200);
      expect(csv.headers['x-export-rows']).toBe('2');
      const lines = csv.body
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\r\n');
      expect(lines[0]).toContain('"发票号码"');
      expect(lines).toHaveLength(3);
      const row = lines.find((l) => l.includes('83089647'))!;
      // The 12-digit code is kept as text (a leading tab keeps Excel from rounding it), money as a decimal.
      expect(row).toContain('"\t033002000211"');
      expect(row).toContain('"526.00"');
      expect(row).toContain('"增值税电子普通发票"');

      const xlsx = await get(t, a, '/api/v1/received-invoices/export.xlsx?source=manual');
      expect(xlsx.statusCode).toBe(200);
      expect(xlsx.headers['content-type']).toContain('spreadsheetml');
      const parts = unzipSync(new Uint8Array(xlsx.rawPayload));
      const sheet = new TextDecoder().decode(parts['xl/worksheets/sheet1.xml']);
      expect(sheet).toContain('t="inlineStr"><is><t xml:space="preserve">24310000000000000001</t>');
      expect(sheet).toMatch(/<c r="K2" s="2"><v>10\.00<\/v><\/c>/);
      const workbook = new TextDecoder().decode(parts['xl/workbook.xml']);
      expect(workbook).toContain('name="进项发票"');
      const audit = await t.runtime.deps.db.kysely
        .selectFrom('audit_log')
        .select(['action', 'target_id'])
        .where('tenant_id', '=', a.tenantId)
        .where('action', '=', 'received.export')
        .where('actor_id', '=', a.appId)
        .execute();
      expect(audit.map((r) => r.target_id).sort()).toEqual(['csv', 'xlsx']);
    });

    it('answers the original bytes of an item and of a file', async () => {
      const item = (await list('q=83089647')).items[0]!;
      const res = await get(t, a, `/api/v1/received-invoices/${item.id}/file`);
      expect(res.statusCode).toBe(200);
      expect(Buffer.compare(res.rawPayload, ofd1)).toBe(0);
      expect(res.headers['content-type']).toBe('application/ofd');
      expect(res.headers['content-disposition']).toContain('attachment');
      expect(res.headers.etag).toBe(`"${item.sha256}"`);
      const again = await t.app.inject({
        url: `/api/v1/received-invoices/${item.id}/file`,
        headers: { ...a.auth, 'if-none-match': `"${item.sha256}"` },
      });
      expect(again.statusCode).toBe(304);
      const typed = (await list('source=manual')).items[0]!;
      const none = await get(t, a, `/api/v1/received-invoices/${typed.id}/file`);
      expect(none.statusCode).toBe(404);
      expect(errorOf(none).code).toBe('RECEIVED_FILE_NOT_FOUND');
    });

    it('keeps a file it cannot read, with its error, in 收票箱 and downloadable', async () => {
      const broken = Buffer.concat([pdf.subarray(0, 2000)]);
      const res = await upload(t, a, [{ name: '坏文件.pdf', data: broken }]);
      expect(res.statusCode).toBe(201);
      expect(res.json().items).toEqual([]);
      const file = res.json().files[0];
      expect(file.created).toBe(true);
      expect(file.error.code).toMatch(/^INVOICE_FILE_/);
      const box = await get(t, a, '/api/v1/received-files?status=failed');
      expect(box.statusCode).toBe(200);
      const entry = box.json().items.find((f: { id: string }) => f.id === file.fileId);
      expect(entry).toMatchObject({
        fileName: '坏文件.pdf',
        status: 'failed',
        format: 'pdf',
        source: 'api',
        items: [],
      });
      expect(entry.error.message.length).toBeGreaterThan(0);
      const bytes = await get(t, a, `/api/v1/received-files/${file.fileId}/file`);
      expect(bytes.statusCode).toBe(200);
      expect(Buffer.compare(bytes.rawPayload, broken)).toBe(0);
      // The same broken file again: the same file, nothing new.
      const again = await upload(t, a, [{ name: 'again.pdf', data: broken }]);
      expect(again.statusCode).toBe(200);
      expect(again.json().files[0]).toMatchObject({ fileId: file.fileId, created: false, error: file.error });
      const ok = await get(t, a, '/api/v1/received-files?status=ok&source=api');
      expect(ok.json().items.every((f: { status: string; items: unknown[] }) => f.status === 'ok')).toBe(true);
    });

    it('refuses unsupported types (415), too many files and too large ones (413), other fields (400)', async () => {
      const text = await upload(t, a, [{ name: 'a.txt', data: Buffer.from('hello, this is no invoice') }]);
      expect(text.statusCode).toBe(415);
      expect(errorOf(text).code).toBe('INVOICE_FILE_UNSUPPORTED');
      const many = await upload(
        t,
        a,
        Array.from({ length: 21 }, (_, i) => ({ name: `${i}.xml`, data: Buffer.from(`<x${i}/>`) })),
      );
      expect(many.statusCode).toBe(413);
      expect(errorOf(many).code).toBe('RECEIVED_TOO_MANY_FILES');
      const big = await upload(t, a, [{ name: 'big.pdf', data: Buffer.alloc(20 * 1024 * 1024 + 1, 0x25) }]);
      expect(big.statusCode).toBe(413);
      expect(errorOf(big).code).toBe('INVOICE_FILE_TOO_LARGE');
      const none = await upload(t, a, []);
      expect(none.statusCode).toBe(400);
      expect(errorOf(none).code).toBe('INVOICE_FILE_MISSING');
      const unknownOrg = await upload(t, a, [{ name: '1.ofd', data: ofd1 }], { buyerTaxId: '91110000000000000X' });
      expect(unknownOrg.statusCode).toBe(422);
      expect(errorOf(unknownOrg).code).toBe('RECEIVED_BUYER_ORG_UNKNOWN');
      const count = await t.runtime.deps.db.kysely
        .selectFrom('received_files')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('tenant_id', '=', a.tenantId)
        .where('file_name', '=', 'a.txt')
        .executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(0);
    });

    it('marks duplicates, deletes while unused (audited), and a deleted item no longer counts', async () => {
      const first = await manual(a, { number: '24310000000000000777', issueDate: '2024-05-01', total: '20.00' });
      const second = await manual(a, {
        number: '24310000000000000777',
        issueDate: '2024-05-01',
        total: '20.00',
        kind: '81',
      });
      const one = first.json().items[0] as View;
      const two = second.json().items[0] as View;
      expect(one.duplicateOf).toBeNull();
      expect(two.duplicateOf).toBe(one.id);
      expect((await list('duplicate=true')).items.map((i) => i.id)).toEqual([two.id]);

      const del = await t.app.inject({ method: 'DELETE', url: `/api/v1/received-invoices/${one.id}`, headers: a.auth });
      expect(del.statusCode).toBe(204);
      expect((await get(t, a, `/api/v1/received-invoices/${one.id}`)).statusCode).toBe(404);
      const after = await get(t, a, `/api/v1/received-invoices/${two.id}`);
      expect(after.json().duplicateOf).toBeNull();
      const again = await t.app.inject({
        method: 'DELETE',
        url: `/api/v1/received-invoices/${one.id}`,
        headers: a.auth,
      });
      expect(again.statusCode).toBe(404);
      const entry = await t.runtime.deps.db.kysely
        .selectFrom('audit_log')
        .selectAll()
        .where('tenant_id', '=', a.tenantId)
        .where('action', '=', 'received.delete')
        .executeTakeFirstOrThrow();
      expect(entry).toMatchObject({ target_type: 'received_invoice', target_id: one.id, actor_id: a.appId });
      expect(entry.diff_json).toContain('24310000000000000777');

      // An item in use (#15 marks them) cannot be deleted.
      await t.runtime.deps.db.kysely
        .updateTable('received_invoices')
        .set({ usage_status: 'claimed' })
        .where('id', '=', two.id)
        .execute();
      const inUse = await t.app.inject({
        method: 'DELETE',
        url: `/api/v1/received-invoices/${two.id}`,
        headers: a.auth,
      });
      expect(inUse.statusCode).toBe(409);
      expect(errorOf(inUse).code).toBe('RECEIVED_INVOICE_IN_USE');
    });

    it('brings a deleted item back when its file is uploaded again', async () => {
      const item = (await list('q=83089647')).items[0]!;
      const del = await t.app.inject({
        method: 'DELETE',
        url: `/api/v1/received-invoices/${item.id}`,
        headers: a.auth,
      });
      expect(del.statusCode).toBe(204);
      const res = await upload(t, a, [{ name: '1.ofd', data: ofd1 }]);
      expect(res.statusCode).toBe(201);
      const back = res.json().items[0] as View;
      expect(back.id).not.toBe(item.id);
      expect(back.number).toBe('83089647');
      expect(res.json().files[0].created).toBe(false);
    });
  });
}
