import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, errorOf, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { BUYER_USCC, blueRequest, get, nextSerial, post } from '../invoicing/invoicing-kit.js';
import { fetchFile, invoiceIdOf, issueBlue, tempDataDir } from './documents-kit.js';

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: invoice files (PDF/OFD/XML) and downloads`, () => {
    let t: TestApp;
    let a: SeededTenant;
    let b: SeededTenant;

    beforeAll(async () => {
      t = await buildTestApp(dialect, { DATA_DIR: tempDataDir() }, undefined, { worker: true });
      a = await seedTenant(t, 'A');
      b = await seedTenant(t, 'B');
    });
    afterAll(async () => t?.close());

    it('lists file links on an issued invoice and serves each file with type, name, ETag and caching', async () => {
      const blue = await issueBlue(t, a);
      const base = `/api/v1/invoices/${blue.serialNo}/files`;
      expect(blue.files).toEqual({ pdf: `${base}/pdf`, ofd: `${base}/ofd`, xml: `${base}/xml` });
      const expected = { pdf: 'application/pdf', ofd: 'application/ofd', xml: 'application/xml; charset=utf-8' };
      for (const [format, type] of Object.entries(expected)) {
        const res = await fetchFile(t, a, `${base}/${format}`);
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toBe(type);
        expect(res.headers['content-disposition']).toContain(`filename*=UTF-8''${blue.number}.${format}`);
        expect(res.headers['cache-control']).toBe('private, max-age=31536000, immutable');
        expect(res.headers.etag).toMatch(/^"[0-9a-f]{64}"$/);
        const again = await fetchFile(t, a, `${base}/${format}`, { 'if-none-match': String(res.headers.etag) });
        expect(again.statusCode).toBe(304);
      }
      const pdf = await fetchFile(t, a, `${base}/pdf`);
      expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
      const xml = await fetchFile(t, a, `${base}/xml`);
      expect(xml.body).toContain(`<EIid>${blue.number}</EIid>`);
    });

    it('stores the files once: concurrent and repeated requests and the render task reuse them', async () => {
      const blue = await issueBlue(t, a);
      const url = `/api/v1/invoices/${blue.serialNo}/files/pdf`;
      const answers = await Promise.all([1, 2, 3, 4].map(() => fetchFile(t, a, url)));
      expect(new Set(answers.map((r) => r.headers.etag)).size).toBe(1);
      const db = t.runtime.deps.db.kysely;
      const invoiceId = await invoiceIdOf(t, blue.serialNo);
      const job = await t.runtime.deps.jobs.enqueue(db, 'documents/render-invoice', { invoiceId });
      t.runtime.deps.jobs.notify();
      await expect
        .poll(
          async () => (await db.selectFrom('jobs').select('state').where('id', '=', job.id).executeTakeFirst())?.state,
          { timeout: 10_000 },
        )
        .toBe('succeeded');
      const rows = await db.selectFrom('invoice_documents').selectAll().where('invoice_id', '=', invoiceId).execute();
      expect(rows.map((r) => r.format).sort()).toEqual(['ofd', 'pdf', 'xml']);
      expect(`"${rows.find((r) => r.format === 'pdf')?.sha256}"`).toBe(answers[0]?.headers.etag);
    });

    it('refuses files of an invoice that is not issued, and other tenants get 404', async () => {
      const rules = { rules: [{ when: { buyerNameContains: '开票失败' }, fail: 'permanent' }] };
      await t.app.inject({ method: 'PUT', url: '/api/v1/sandbox/settings', headers: a.auth, payload: rules });
      const req = blueRequest(a, { buyer: { name: '开票失败测试有限公司', taxId: BUYER_USCC } });
      const failed = (await post(t, a, '/api/v1/invoices?wait=10', req)).json();
      expect(failed.status).toBe('failed');
      expect(failed.files).toBeNull();
      const res = await fetchFile(t, a, `/api/v1/invoices/${failed.serialNo}/files/pdf`);
      expect(res.statusCode).toBe(409);
      expect(errorOf(res).code).toBe('DOCUMENT_NOT_AVAILABLE');
      const blue = await issueBlue(t, a);
      const other = await fetchFile(t, b, `/api/v1/invoices/${blue.serialNo}/files/pdf`);
      expect(other.statusCode).toBe(404);
      expect(errorOf(other).code).toBe('INVOICE_NOT_FOUND');
      expect((await fetchFile(t, a, '/api/v1/invoices/NOPE/files/pdf')).statusCode).toBe(404);
      expect((await fetchFile(t, a, `/api/v1/invoices/${blue.serialNo}/files/doc`)).statusCode).toBe(400);
    });

    it('renders the red invoice with its red remark', async () => {
      const blue = await issueBlue(t, a);
      const res = await post(t, a, `/api/v1/invoices/${blue.serialNo}/red?wait=10`, {
        redSerialNo: nextSerial('RED'),
        reason: '01',
      });
      const red = res.json();
      expect(red.status).toBe('issued');
      const xml = (await fetchFile(t, a, red.files.xml)).body;
      expect(xml).toContain('<LabelCode>N</LabelCode>');
      expect(xml).toContain(`<OriginalInvoiceNumber>${blue.number}</OriginalInvoiceNumber>`);
      expect(xml).toContain(red.remark);
      expect((await fetchFile(t, a, red.files.pdf)).statusCode).toBe(200);
    });
    it("signs links only for the caller's own invoice: extra query parameters cannot name another invoice", async () => {
      const blueA = await issueBlue(t, a);
      const blueB = await issueBlue(t, b);
      const { id: idA } = await t.runtime.deps.db.kysely
        .selectFrom('invoices')
        .select('id')
        .where('tenant_id', '=', a.tenantId)
        .where('serial_no', '=', blueA.serialNo)
        .executeTakeFirstOrThrow();
      const res = await get(t, b, `/api/v1/invoices/${blueB.serialNo}/links?invoiceId=${idA}&format=pdf`);
      expect(res.statusCode).toBe(200);
      const links = res.json<{ pdf: string; ofd: string; xml: string }>();
      for (const url of [links.pdf, links.ofd, links.xml]) expect(url).not.toContain(idA);
      const pdf = await fetchFile(t, null, new URL(links.pdf).pathname);
      expect(pdf.statusCode).toBe(200);
      const own = await fetchFile(t, b, `/api/v1/invoices/${blueB.serialNo}/files/pdf`);
      expect(pdf.headers.etag).toBe(own.headers.etag);
    });

    it('signs public links that download without a token, reject tampering and expire', async () => {
      const blue = await issueBlue(t, a);
      const links = (await get(t, a, `/api/v1/invoices/${blue.serialNo}/links`)).json();
      expect(links.pdf).toMatch(new RegExp(`^${t.config.http.publicUrl}/d/[A-Za-z0-9_.-]+$`));
      const path = (url: string) => url.slice(t.config.http.publicUrl.length);
      const pdf = await fetchFile(t, null, path(links.pdf));
      expect(pdf.statusCode).toBe(200);
      expect(pdf.headers['content-disposition']).toContain(`${blue.number}.pdf`);
      const direct = await fetchFile(t, a, `/api/v1/invoices/${blue.serialNo}/files/pdf`);
      expect(pdf.headers.etag).toBe(direct.headers.etag);
      const ofd = await fetchFile(t, null, path(links.ofd));
      expect(ofd.headers['content-type']).toBe('application/ofd');
      const tampered = path(links.pdf).replace(/\.p/, '.x');
      expect(errorOf(await fetchFile(t, null, tampered)).code).toBe('DOCUMENT_LINK_INVALID');
      expect((await fetchFile(t, null, '/d/garbage')).statusCode).toBe(404);
      t.clock.advance(31 * 86_400_000);
      const expired = await fetchFile(t, null, path(links.pdf));
      expect(expired.statusCode).toBe(410);
      expect(errorOf(expired).code).toBe('DOCUMENT_LINK_EXPIRED');
      expect(errorOf(expired).details?.expiredAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+08:00$/);
    });
  });
}
