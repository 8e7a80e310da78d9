/**
 * Event codes, the assistant pages' API, the personal folder and employees (#15, asst-core) on both dialects, through
 * the real API: invoices issued by a seller tenant on the sandbox, their XML files uploaded through the pages,
 * verified and checked by the real jobs; the import row read back from the database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrg } from '../../src/modules/orgs/index.js';
import { redactSecrets } from '../../src/platform/log-redaction.js';
import { type ConsoleSession, loginAs, seedUser } from '../auth/console-kit.js';
import { multipart } from '../collection/received-kit.js';
import { fetchFile, issueBlue, tempDataDir } from '../documents/documents-kit.js';
import { buildTestApp, errorOf, makeUscc, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { pageRequest, uploadToPage } from './assistant-kit.js';

interface Item {
  id: string;
  number: string;
  buyer: { name: string | null; taxId: string | null };
  check: { importable: boolean; level: string; reasons: string[] };
  claim: { claimed: string; remaining: string };
}

let billSeq = 0;

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: assistant event codes, pages and folder`, () => {
    let t: TestApp;
    let seller: SeededTenant;
    let a: SeededTenant;
    let b: SeededTenant;
    const branch = { taxNo: makeUscc('91310115MA1K4Q9B1'), name: 'A 分公司有限公司' };
    const company = () => ({ taxNo: a.sellerTaxId, name: 'A 销方有限公司' });

    const post = (who: { auth: Record<string, string> } | null, url: string, payload: unknown) =>
      t.app.inject({ method: 'POST', url, payload: payload as object, headers: { ...(who?.auth ?? {}) } });
    const page = (code: string | null, url: string, init: { method?: 'GET' | 'POST'; payload?: unknown } = {}) =>
      pageRequest(t, code, url, init);
    const eventBody = (overrides: Record<string, unknown> = {}) => ({
      billId: `B-${++billSeq}`,
      resource: 'oa',
      billNo: 'BX-2025-001',
      billType: '差旅报销单',
      userId: 'u-1001',
      userName: '张三',
      linkKey: 'oa:link-1',
      pushType: 'socket',
      companyInfo: [company()],
      ...overrides,
    });
    const newEvent = async (who: SeededTenant, overrides: Record<string, unknown> = {}) => {
      const res = await post(who, '/api/v1/assistant/events', eventBody(overrides));
      expect(res.statusCode, res.body).toBe(201);
      return res.json<{ eventCode: string; expiresAt: string; selectUrl: string }>();
    };
    /** An XML invoice issued by the seller tenant to `buyer`. */
    const invoiceXml = async (buyer: { taxNo: string; name: string }) => {
      const issued = await issueBlue(t, seller, { buyer: { name: buyer.name, taxId: buyer.taxNo } });
      const xml = await fetchFile(t, seller, `/api/v1/invoices/${issued.serialNo}/files/xml`);
      expect(xml.statusCode).toBe(200);
      return { number: issued.number, data: xml.rawPayload };
    };
    const uploadPage = (code: string, files: Array<{ name: string; data: Buffer }>) => uploadToPage(t, code, files);
    /** Re-reads the items (as the page does) until neither verification nor compliance is pending. */
    const settled = async (code: string, ids: string[]): Promise<Item[]> => {
      for (let i = 0; i < 300; i++) {
        const res = await page(code, `/api/v1/assistant/page/items?ids=${ids.join(',')}`);
        expect(res.statusCode).toBe(200);
        const items = res.json<{ items: Item[] }>().items;
        if (items.every((x) => x.check.level !== 'pending')) return items;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('items did not settle');
    };

    beforeAll(async () => {
      t = await buildTestApp(
        dialect,
        {
          DATA_DIR: tempDataDir(),
          COLLECT_OCR: 'off',
          VERIFY_RATE_PER_SECOND: '1000',
          VERIFY_DAILY_QUOTA: '1000',
          PUBLIC_URL: 'https://fp.example.com',
        },
        undefined,
        { worker: true },
      );
      seller = await seedTenant(t, 'S');
      a = await seedTenant(t, 'A');
      b = await seedTenant(t, 'B');
      await createOrg({ db: t.runtime.deps.db.kysely, clock: t.clock }, a.tenantId, {
        taxId: branch.taxNo,
        name: branch.name,
      });
      for (const who of [a, b]) {
        const res = await post(who, '/api/v1/business-systems', { code: 'oa', name: '费控系统' });
        expect(res.statusCode, res.body).toBe(201);
      }
      expect((await post(a, '/api/v1/business-systems', { code: 'erp-a', name: 'ERP' })).statusCode).toBe(201);
    });
    afterAll(async () => t?.close());

    it('issues an event code with the page URLs; refuses bad input with 400/422', async () => {
      const created = await newEvent(a);
      expect(created.eventCode).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(created.selectUrl).toBe(
        `https://fp.example.com/assistant/select?eventCode=${encodeURIComponent(created.eventCode)}`,
      );
      expect(created).toMatchObject({
        viewUrl: expect.stringContaining('/assistant/view?eventCode='),
        mobileSelectUrl: expect.stringContaining('/assistant/m/select?eventCode='),
        mobileViewUrl: expect.stringContaining('/assistant/m/view?eventCode='),
      });
      // 10 minutes from the test clock (2025-06-01T02:00:00Z = 10:00 China time).
      expect(created.expiresAt).toBe('2025-06-01T10:10:00.000+08:00');
      // Only the hash is stored.
      const rows = await t.runtime.deps.db.kysely.selectFrom('assistant_events').select('code_hash').execute();
      expect(rows.some((r) => r.code_hash.includes(created.eventCode))).toBe(false);

      const bad = async (overrides: Record<string, unknown>, status: number, code?: string) => {
        const res = await post(a, '/api/v1/assistant/events', eventBody(overrides));
        expect(res.statusCode, JSON.stringify(overrides)).toBe(status);
        if (code) expect(errorOf(res).code).toBe(code);
      };
      await bad({ linkKey: 'has space' }, 400, 'VALIDATION_FAILED');
      await bad({ linkKey: 'x'.repeat(65) }, 400);
      await bad({ billId: 'a/b' }, 400);
      await bad({ billId: 'x'.repeat(51) }, 400);
      await bad({ pushType: 'mail' }, 400);
      await bad({ companyInfo: [] }, 400);
      await bad({ companyInfo: Array.from({ length: 11 }, () => company()) }, 400);
      await bad({ companyInfo: [{ taxNo: a.sellerTaxId, name: 'x'.repeat(101) }] }, 400);
      await bad({ companyInfo: [{ taxNo: '91310115MA1K4Q9B1X', name: '坏税号' }] }, 422, 'ASSISTANT_COMPANY_INVALID');
      await bad({ resource: 'nope' }, 422, 'ASSISTANT_RESOURCE_UNKNOWN');
      // Tenants are walls: B has no business system erp-a (A has).
      const res = await post(b, '/api/v1/assistant/events', eventBody({ resource: 'erp-a' }));
      expect(errorOf(res).code).toBe('ASSISTANT_RESOURCE_UNKNOWN');
      // A disabled business system opens nothing.
      await t.app.inject({
        method: 'PATCH',
        url: '/api/v1/business-systems/erp-a',
        payload: { enabled: false },
        headers: a.auth,
      });
      await bad({ resource: 'erp-a' }, 422, 'ASSISTANT_RESOURCE_UNKNOWN');
      // No token: 401.
      expect((await post(null, '/api/v1/assistant/events', eventBody())).statusCode).toBe(401);
    });

    it('pages open only with a live code: missing, wrong, replaced and expired codes are 401', async () => {
      const billId = `B-live-${++billSeq}`;
      const first = await newEvent(a, { billId });
      const ok = await page(first.eventCode, '/api/v1/assistant/page');
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toMatchObject({
        event: { resource: 'oa', billId, billNo: 'BX-2025-001', pushType: 'socket', companyInfo: [company()] },
        employee: { name: '张三' },
      });
      expect(ok.headers['cache-control']).toBe('no-store');
      expect(errorOf(await page(null, '/api/v1/assistant/page')).code).toBe('ASSISTANT_EVENT_INVALID');
      const wrong = `${first.eventCode.slice(0, 42)}${first.eventCode.endsWith('A') ? 'B' : 'A'}`;
      expect((await page(wrong, '/api/v1/assistant/page')).statusCode).toBe(401);
      expect((await page('short', '/api/v1/assistant/page')).statusCode).toBe(401);
      // A new code for the same bill replaces the first.
      const second = await newEvent(a, { billId });
      const replaced = await page(first.eventCode, '/api/v1/assistant/page');
      expect(replaced.statusCode).toBe(401);
      expect(errorOf(replaced).code).toBe('ASSISTANT_EVENT_INVALID');
      expect((await page(second.eventCode, '/api/v1/assistant/page')).statusCode).toBe(200);
      // Every page route refuses a replaced code.
      for (const url of [
        '/api/v1/assistant/page/folder',
        '/api/v1/assistant/page/bill',
        '/api/v1/assistant/page/items?ids=x',
      ]) {
        expect((await page(first.eventCode, url)).statusCode, url).toBe(401);
      }
      expect(
        (
          await page(first.eventCode, '/api/v1/assistant/page/import', {
            method: 'POST',
            payload: { invoices: [{ invoiceId: 'rcv_x' }] },
          })
        ).statusCode,
      ).toBe(401);
      // Expiry by the test clock: alive just before, expired at the limit.
      const third = await newEvent(a, { billId: `B-exp-${++billSeq}` });
      t.clock.advance(599_000);
      expect((await page(third.eventCode, '/api/v1/assistant/page')).statusCode).toBe(200);
      t.clock.advance(1_000);
      const expired = await page(third.eventCode, '/api/v1/assistant/page');
      expect(expired.statusCode).toBe(401);
      expect(errorOf(expired).code).toBe('ASSISTANT_EVENT_EXPIRED');
    });

    it('uploads three files: the one addressed to another company is blocked; import refuses it, then writes one import', async () => {
      const flowBillId = `B-flow-${++billSeq}`;
      const event = await newEvent(a, { linkKey: 'oa:flow', billId: flowBillId });
      const files = [await invoiceXml(company()), await invoiceXml(company()), await invoiceXml(branch)];
      const res = await uploadPage(
        event.eventCode,
        files.map((f, i) => ({ name: `${i + 1}.xml`, data: f.data })),
      );
      expect(res.statusCode, res.body).toBe(201);
      const body = res.json<{
        items: Array<Item & { sha256: string }>;
        files: Array<{ fileName: string; sha256: string; error?: unknown }>;
      }>();
      expect(body.files.map((f) => f.fileName)).toEqual(['1.xml', '2.xml', '3.xml']);
      expect(body.items.map((i) => i.number)).toEqual(files.map((f) => f.number));
      // Each file names its bytes; the items read from it carry the same (how a page tells which file gave what).
      expect(body.files.map((f) => f.sha256)).toEqual(body.items.map((i) => i.sha256));
      expect(new Set(body.files.map((f) => f.sha256)).size).toBe(3);
      const other = body.items[2]!;
      expect(other.check).toMatchObject({ importable: false, level: 'block' });
      expect(other.check.reasons.join()).toContain('发票抬头与单据公司不符');
      const ids = body.items.map((i) => i.id);

      const items = await settled(event.eventCode, ids);
      expect(items.map((i) => i.id)).toEqual(ids);
      expect(items[0]!.check).toEqual({ importable: true, level: 'pass', reasons: [] });
      expect(items[1]!.check.importable).toBe(true);
      expect(items[0]!.claim).toEqual({ claimed: '0.00', remaining: '2190.00', reversed: '0.00' });
      expect(items[2]!.check).toMatchObject({ importable: false, level: 'block' });

      // The folder of the event's employee holds all three (status unused).
      const folder = await page(event.eventCode, '/api/v1/assistant/page/folder?status=unused');
      expect(folder.statusCode).toBe(200);
      expect(
        folder
          .json<{ items: Item[] }>()
          .items.map((i) => i.id)
          .sort(),
      ).toEqual([...ids].sort());
      const byNumber = await page(event.eventCode, `/api/v1/assistant/page/folder?status=all&q=${files[1]!.number}`);
      expect(byNumber.json<{ items: Item[] }>().items.map((i) => i.id)).toEqual([ids[1]]);

      const importRows = () =>
        t.runtime.deps.db.kysely
          .selectFrom('assistant_imports')
          .selectAll()
          .where('tenant_id', '=', a.tenantId)
          .execute();
      const before = (await importRows()).length;
      const refused = await page(event.eventCode, '/api/v1/assistant/page/import', {
        method: 'POST',
        payload: { invoices: ids.map((invoiceId) => ({ invoiceId })) },
      });
      expect(refused.statusCode).toBe(422);
      expect(errorOf(refused)).toMatchObject({
        code: 'ASSISTANT_NOT_IMPORTABLE',
        details: { invoices: [{ invoiceId: ids[2], reason: expect.stringContaining('发票抬头与单据公司不符') }] },
      });
      const tooMuch = await page(event.eventCode, '/api/v1/assistant/page/import', {
        method: 'POST',
        payload: { invoices: [{ invoiceId: ids[0], amount: '2190.01' }] },
      });
      expect(errorOf(tooMuch).details).toEqual({
        invoices: [{ invoiceId: ids[0], reason: '报销金额超过可报销金额 2190.00' }],
      });
      expect((await importRows()).length).toBe(before);

      const imported = await page(event.eventCode, '/api/v1/assistant/page/import', {
        method: 'POST',
        payload: { invoices: [{ invoiceId: ids[0], amount: '100.50' }, { invoiceId: ids[1] }] },
      });
      expect(imported.statusCode, imported.body).toBe(201);
      const { importId, count } = imported.json<{ importId: string; count: number }>();
      expect(count).toBe(2);
      const rows = await importRows();
      expect(rows.length).toBe(before + 1);
      const row = rows.find((r) => r.id === importId)!;
      expect(row).toMatchObject({ link_key: 'oa:flow', invoice_count: 2, consumed_at: null });
      const payload = JSON.parse(row.payload_json);
      expect(payload.invoiceData.map((i: { id: string; claimAmount: string }) => [i.id, i.claimAmount])).toEqual([
        [ids[0], '100.50'],
        [ids[1], '2190.00'],
      ]);
      expect(payload.attachData[0]).toEqual({
        url: `https://fp.example.com/api/v1/received-invoices/${ids[0]}/file`,
        fileType: 9,
        invoiceNo: files[0]!.number,
        fileName: '1.xml',
        invoiceId: ids[0],
      });

      // The original file, to the employee whose folder holds it.
      const file = await page(event.eventCode, `/api/v1/assistant/page/items/${ids[0]}/file`);
      expect(file.statusCode).toBe(200);
      expect(file.headers['content-disposition']).toContain('1.xml');
      expect(file.rawPayload.equals(files[0]!.data)).toBe(true);
      // No bill saved yet: the view page shows none.
      expect((await page(event.eventCode, '/api/v1/assistant/page/bill')).json()).toEqual({ bill: null });
      // The expense system binds the first invoice to its bill through the bills API (billSave): the view page shows
      // it, and the folder's `unused` list (the pool's stored 报销状态) no longer does.
      const saved = await t.app.inject({
        method: 'PUT',
        url: `/api/v1/bills/oa/${flowBillId}`,
        headers: a.auth,
        payload: { billNo: 'BX-2025-001', status: 30, invoices: [{ invoiceId: ids[0], amount: '100.50' }] },
      });
      expect(saved.statusCode, saved.body).toBe(200);
      const view = (await page(event.eventCode, '/api/v1/assistant/page/bill')).json();
      expect(view.bill).toMatchObject({ resource: 'oa', billId: flowBillId, status: 'in_use' });
      expect(view.bill.invoices.map((i: { amount: string; invoice: Item }) => [i.amount, i.invoice.id])).toEqual([
        ['100.50', ids[0]],
      ]);
      expect(view.bill.invoices[0].invoice.claim).toEqual({
        claimed: '100.50',
        remaining: '2089.50',
        reversed: '0.00',
      });
      const unused = await page(event.eventCode, '/api/v1/assistant/page/folder?status=unused');
      expect(
        unused
          .json<{ items: Item[] }>()
          .items.map((i) => i.id)
          .sort(),
      ).toEqual([ids[1], ids[2]].sort());

      // The page refuses what billSave refuses, with the same reason: an invoice verification found void.
      const db = t.runtime.deps.db.kysely;
      const wasVerified = await db
        .selectFrom('received_invoices')
        .select('verification_status')
        .where('id', '=', ids[1]!)
        .executeTakeFirstOrThrow();
      await db
        .updateTable('received_invoices')
        .set({ verification_status: 'void' })
        .where('id', '=', ids[1]!)
        .execute();
      const voidItem = (await page(event.eventCode, `/api/v1/assistant/page/items?ids=${ids[1]}`)).json<{
        items: Item[];
      }>().items[0]!;
      expect(voidItem.check).toMatchObject({ importable: false, level: 'block', reasons: ['发票已作废，不能报销'] });
      const voidBill = await t.app.inject({
        method: 'PUT',
        url: `/api/v1/bills/oa/${flowBillId}-void`,
        headers: a.auth,
        payload: { status: 30, invoices: [{ invoiceId: ids[1], amount: '1.00' }] },
      });
      expect(errorOf(voidBill)).toMatchObject({ code: 'BILL_INVOICE_VOID', message: voidItem.check.reasons[0] });
      await db
        .updateTable('received_invoices')
        .set({ verification_status: wasVerified.verification_status })
        .where('id', '=', ids[1]!)
        .execute();

      // Another employee of A (another userId) cannot read or import these items, nor take them by uploading the
      // same file again.
      const colleague = await newEvent(a, { userId: 'u-2002', userName: '李四' });
      const theirs = await page(colleague.eventCode, `/api/v1/assistant/page/items?ids=${ids.join(',')}`);
      expect(theirs.json()).toEqual({ items: [] });
      expect((await page(colleague.eventCode, `/api/v1/assistant/page/items/${ids[0]}/file`)).statusCode).toBe(404);
      const again = await uploadPage(colleague.eventCode, [{ name: 'again.xml', data: files[0]!.data }]);
      expect(again.json<{ items: Item[] }>().items[0]!.check).toMatchObject({
        importable: false,
        reasons: expect.arrayContaining(['该发票已在其他员工的票夹中']),
      });
      const stolen = await page(colleague.eventCode, '/api/v1/assistant/page/import', {
        method: 'POST',
        payload: { invoices: [{ invoiceId: ids[0] }] },
      });
      expect(errorOf(stolen).details).toEqual({ invoices: [{ invoiceId: ids[0], reason: '发票不在当前票夹中' }] });

      // Tenant B's code never reads A's items.
      const bEvent = await newEvent(b, { companyInfo: [{ taxNo: b.sellerTaxId, name: 'B 销方有限公司' }] });
      expect((await page(bEvent.eventCode, `/api/v1/assistant/page/items?ids=${ids.join(',')}`)).json()).toEqual({
        items: [],
      });
      expect((await page(bEvent.eventCode, `/api/v1/assistant/page/items/${ids[0]}/file`)).statusCode).toBe(404);
      expect(
        (await page(bEvent.eventCode, '/api/v1/assistant/page/folder?status=all')).json<{ items: Item[] }>().items,
      ).toEqual([]);
    }, 120_000);

    it('reads an invoice QR text into the folder; refuses what is no invoice QR', async () => {
      const event = await newEvent(a);
      const text = '01,32,,25312000000000001234,2190.00,20250601,,A1B2';
      const res = await page(event.eventCode, '/api/v1/assistant/page/qr', { method: 'POST', payload: { text } });
      expect(res.statusCode, res.body).toBe(201);
      const [item] = res.json<{ items: Item[] }>().items;
      expect(item).toMatchObject({ number: '25312000000000001234', check: { level: 'pending', importable: false } });
      const bad = await page(event.eventCode, '/api/v1/assistant/page/qr', {
        method: 'POST',
        payload: { text: 'https://example.com/x' },
      });
      expect(errorOf(bad).code).toBe('ASSISTANT_QR_INVALID');
    });

    it("business systems take frameAncestors (validated); the page carries them in its CSP, else frame-ancestors 'self'", async () => {
      const patch = (frameAncestors: unknown) =>
        t.app.inject({
          method: 'PATCH',
          url: '/api/v1/business-systems/oa',
          payload: { frameAncestors } as object,
          headers: a.auth,
        });
      /** The frame-ancestors directive of the page opened with `code`, as served over HTTP (built or not). */
      const ancestorsOf = async (code: string, path = '/assistant/select') => {
        const res = await t.app.inject({ method: 'GET', url: `${path}?eventCode=${code}` });
        const csp = String(res.headers['content-security-policy']);
        expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
        const directives = csp.split(';').map((d) => d.trim());
        expect(directives.filter((d) => d.startsWith('frame-ancestors'))).toHaveLength(1);
        return directives.find((d) => d.startsWith('frame-ancestors '));
      };
      const event = await newEvent(a);
      expect(await ancestorsOf(event.eventCode)).toBe("frame-ancestors 'self'");
      const ok = await patch([
        'https://oa.example.com',
        'https://erp.example.com:8443',
        "'self'",
        'http://localhost:5173',
      ]);
      expect(ok.statusCode, ok.body).toBe(200);
      expect(ok.json().frameAncestors).toEqual([
        'https://oa.example.com',
        'https://erp.example.com:8443',
        "'self'",
        'http://localhost:5173',
      ]);
      for (const path of ['/assistant/select', '/assistant/view', '/assistant/m/select', '/assistant/m/view']) {
        expect(await ancestorsOf(event.eventCode, path)).toBe(
          "frame-ancestors https://oa.example.com https://erp.example.com:8443 'self' http://localhost:5173",
        );
      }
      // B's system of the same code is untouched; an unknown code gets the default.
      const bEvent = await newEvent(b, { companyInfo: [{ taxNo: b.sellerTaxId, name: 'B' }] });
      expect(await ancestorsOf(bEvent.eventCode)).toBe("frame-ancestors 'self'");
      expect(await ancestorsOf('x'.repeat(43))).toBe("frame-ancestors 'self'");
      for (const bad of [
        ['http://oa.example.com'],
        ['javascript:alert(1)'],
        ['https://oa.example.com/path'],
        ['*'],
        ['https://a b.com'],
        ['https://oa.example.com:99999'],
      ]) {
        const res = await patch(bad);
        expect(res.statusCode, bad[0]).toBe(422);
        expect(errorOf(res).code).toBe('BUSINESS_SYSTEM_FRAME_ANCESTORS_INVALID');
      }
      expect((await patch(Array.from({ length: 11 }, (_, i) => `https://s${i}.example.com`))).statusCode).toBe(400);
      expect((await patch(null)).json().frameAncestors).toEqual([]);
      expect(await ancestorsOf(event.eventCode)).toBe("frame-ancestors 'self'");
    });

    it('event codes are redacted from logged URLs', () => {
      expect(redactSecrets('/assistant/select?eventCode=AbCdEfGhIjKlMnOp&x=1')).toBe(
        '/assistant/select?eventCode=AbCd…&x=1',
      );
    });

    describe('personal folder', () => {
      let employee: ConsoleSession;
      let finance: ConsoleSession;
      let admin: ConsoleSession;

      beforeAll(async () => {
        employee = await loginAs(t, await seedUser(t, a.tenantId, 'employee'));
        finance = await loginAs(t, await seedUser(t, a.tenantId, 'finance'));
        admin = await loginAs(t, await seedUser(t, a.tenantId, 'admin'));
      });

      const upload = (s: ConsoleSession, files: Array<{ name: string; data: Buffer }>) => {
        const body = multipart(files.map((f) => ({ name: 'file', filename: f.name, data: f.data })));
        return t.app.inject({
          method: 'POST',
          url: '/api/v1/folder/files',
          payload: body.payload,
          headers: { ...body.headers, ...s.write },
        });
      };

      it('an employee uploads into their own folder, lists and searches it, and sees nothing else', async () => {
        const files = [await invoiceXml(company()), await invoiceXml(company())];
        const res = await upload(
          employee,
          files.map((f, i) => ({ name: `e${i}.xml`, data: f.data })),
        );
        expect(res.statusCode, res.body).toBe(201);
        const items = res.json<{ items: Array<{ id: string; usage: unknown; source: string }> }>().items;
        expect(items).toHaveLength(2);
        expect(items[0]).toMatchObject({
          source: 'upload',
          usage: { status: 'unused', claimed: '0.00', remaining: '2190.00', bills: [], voucher: null },
        });
        const list = await t.app.inject({ method: 'GET', url: '/api/v1/folder', headers: employee.read });
        expect(list.statusCode).toBe(200);
        expect(
          list
            .json<{ items: Array<{ id: string }> }>()
            .items.map((i) => i.id)
            .sort(),
        ).toEqual(items.map((i) => i.id).sort());
        const search = await t.app.inject({
          method: 'GET',
          url: `/api/v1/folder?status=unused&q=${files[1]!.number}`,
          headers: employee.read,
        });
        expect(search.json<{ items: Array<{ id: string }> }>().items.map((i) => i.id)).toEqual([items[1]!.id]);
        const claimed = await t.app.inject({
          method: 'GET',
          url: '/api/v1/folder?status=claimed',
          headers: employee.read,
        });
        expect(claimed.json()).toEqual({ items: [], nextCursor: null });
        // Another user's folder is their own: finance sees none of the employee's items.
        const theirs = await t.app.inject({ method: 'GET', url: '/api/v1/folder?status=all', headers: finance.read });
        expect(theirs.json<{ items: unknown[] }>().items).toEqual([]);
        // The 员工 role has only its folder.
        for (const url of ['/api/v1/received-invoices', '/api/v1/invoices', '/api/v1/business-systems']) {
          const denied = await t.app.inject({ method: 'GET', url, headers: employee.read });
          expect(denied.statusCode, url).toBe(403);
        }
        const denied = await t.app.inject({
          method: 'POST',
          url: '/api/v1/assistant/events',
          payload: eventBody(),
          headers: employee.write,
        });
        expect(denied.statusCode).toBe(403);
        // API apps are nobody's employee.
        expect((await t.app.inject({ method: 'GET', url: '/api/v1/folder', headers: a.auth })).statusCode).toBe(403);
      }, 60_000);

      it('hands items over to a colleague (audited); only own items; employees are linked by an admin', async () => {
        const file = await invoiceXml(company());
        const up = await upload(employee, [{ name: 'h.xml', data: file.data }]);
        const id = up.json<{ items: Array<{ id: string }> }>().items[0]!.id;
        // The assistant employee u-1001 (张三) is a colleague to pick.
        const colleagues = await t.app.inject({
          method: 'GET',
          url: `/api/v1/employees?q=${encodeURIComponent('张')}`,
          headers: employee.read,
        });
        expect(colleagues.statusCode).toBe(200);
        const zhang = colleagues
          .json<{ items: Array<{ id: string; name: string }> }>()
          .items.find((e) => e.name === '张三')!;
        expect(zhang).toBeDefined();
        const handOver = (s: ConsoleSession, payload: object) =>
          t.app.inject({ method: 'POST', url: '/api/v1/folder/hand-over', payload, headers: s.write });
        // Finance cannot hand over the employee's item.
        const notOwn = await handOver(finance, { invoiceIds: [id], toEmployeeId: zhang.id });
        expect(notOwn.statusCode).toBe(422);
        expect(errorOf(notOwn)).toMatchObject({ code: 'FOLDER_NOT_OWN', details: { invoiceIds: [id] } });
        expect(errorOf(await handOver(employee, { invoiceIds: [id], toEmployeeId: 'emp_nope' })).code).toBe(
          'FOLDER_EMPLOYEE_NOT_FOUND',
        );
        const moved = await handOver(employee, { invoiceIds: [id], toEmployeeId: zhang.id });
        expect(moved.statusCode, moved.body).toBe(200);
        expect(moved.json()).toEqual({ moved: [id] });
        const after = await t.app.inject({ method: 'GET', url: '/api/v1/folder?status=all', headers: employee.read });
        expect(after.json<{ items: Array<{ id: string }> }>().items.map((i) => i.id)).not.toContain(id);
        // Now in 张三's folder, as the assistant pages see it.
        const event = await newEvent(a);
        const folder = await page(event.eventCode, '/api/v1/assistant/page/folder?status=all');
        expect(folder.json<{ items: Array<{ id: string }> }>().items.map((i) => i.id)).toContain(id);
        const audit = await t.runtime.deps.db.kysely
          .selectFrom('audit_log')
          .selectAll()
          .where('tenant_id', '=', a.tenantId)
          .where('action', '=', 'folder.hand_over')
          .execute();
        expect(audit).toHaveLength(1);

        // Linking: users.manage only; a user linked twice is a conflict.
        const link = (s: ConsoleSession, empId: string, payload: object) =>
          t.app.inject({ method: 'PUT', url: `/api/v1/employees/${empId}`, payload, headers: s.write });
        expect((await link(employee, zhang.id, { name: '张三丰' })).statusCode).toBe(403);
        const renamed = await link(admin, zhang.id, { name: '张三丰' });
        expect(renamed.statusCode, renamed.body).toBe(200);
        expect(renamed.json()).toMatchObject({ id: zhang.id, name: '张三丰', externalId: 'u-1001' });
        // A console user who has no folder yet is linked to 张三: the assistant's folder is now theirs too.
        const zhangUser = await seedUser(t, a.tenantId, 'employee');
        const linked = await link(admin, zhang.id, { userId: zhangUser.id });
        expect(linked.statusCode, linked.body).toBe(200);
        const zhangSession = await loginAs(t, zhangUser);
        const zhangFolder = await t.app.inject({
          method: 'GET',
          url: '/api/v1/folder?status=all',
          headers: zhangSession.read,
        });
        expect(zhangFolder.json<{ items: Array<{ id: string }> }>().items.map((i) => i.id)).toContain(id);
        const emp2 = (
          await t.app.inject({ method: 'GET', url: '/api/v1/employees?q=u-2002', headers: admin.read })
        ).json<{ items: Array<{ id: string }> }>().items[0]!;
        // Finance has an employee of its own already (it opened its folder): a second link is a conflict.
        const conflict = await link(admin, emp2.id, { userId: finance.info.user.id });
        expect(errorOf(conflict).code).toBe('FOLDER_EMPLOYEE_CONFLICT');
        expect(errorOf(await link(admin, emp2.id, { userId: 'usr_nope' })).code).toBe('FOLDER_USER_NOT_FOUND');
        expect(errorOf(await link(admin, 'emp_nope', { name: 'x' })).code).toBe('FOLDER_EMPLOYEE_NOT_FOUND');
      }, 60_000);
    });
  });
}
