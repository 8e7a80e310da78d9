import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrg } from '../../src/modules/orgs/index.js';
import { loginAs, seedUser } from '../auth/console-kit.js';
import { buildTestApp, errorOf, makeUscc, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { blueRequest, post } from '../invoicing/invoicing-kit.js';

/** The text of a PDF, by poppler's pdftotext (a real reader, not our writer). */
function pdfText(bytes: Uint8Array): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'merge-print-'));
  try {
    const file = path.join(dir, 'merged.pdf');
    fs.writeFileSync(file, bytes);
    return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: POST /api/v1/invoices/print (合并打印)`, () => {
    let t: TestApp;
    let a: SeededTenant;
    let b: SeededTenant;
    const issued: { serialNo: string; number: string }[] = [];
    let bSerial: string;
    let failedSerial: string;

    const issue = async (who: SeededTenant) => {
      const req = blueRequest(who);
      const res = await post(t, who, '/api/v1/invoices?wait=10', req);
      expect(res.statusCode, res.body).toBe(200);
      return { serialNo: req.serialNo, number: res.json<{ number: string }>().number };
    };

    beforeAll(async () => {
      t = await buildTestApp(dialect, {}, undefined, { worker: true });
      a = await seedTenant(t, 'A');
      b = await seedTenant(t, 'B');
      for (let i = 0; i < 3; i++) issued.push(await issue(a));
      bSerial = (await issue(b)).serialNo;
      // A request the channel refuses: not issued, so not printable.
      await t.app.inject({
        method: 'PUT',
        url: '/api/v1/sandbox/settings',
        headers: a.auth,
        payload: { rules: [{ when: { buyerNameContains: '拒绝' }, fail: 'permanent', code: 'BUYER_NAME_REJECTED' }] },
      });
      const failed = blueRequest(a, { buyer: { name: '拒绝开票有限公司', taxId: '91110000600037341L' } });
      await post(t, a, '/api/v1/invoices?wait=10', failed);
      failedSerial = failed.serialNo;
    }, 120_000);
    afterAll(async () => t?.close());

    const print = (who: { authorization: string } | Record<string, string>, body: unknown) =>
      t.app.inject({ method: 'POST', url: '/api/v1/invoices/print', headers: who, payload: body as object });

    it('two invoices, 2 per page: ONE A4 page with both invoices (text, not pictures)', async () => {
      const res = await print(a.auth, { serialNos: [issued[0]!.serialNo, issued[1]!.serialNo], perPage: 2 });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.headers['content-type']).toBe('application/pdf');
      expect(res.headers['content-disposition']).toContain('attachment');
      const pdf = await PDFDocument.load(res.rawPayload);
      expect(pdf.getPageCount()).toBe(1);
      const { width, height } = pdf.getPage(0).getSize();
      expect([Math.round(width), Math.round(height)]).toEqual([595, 842]);
      const text = pdfText(res.rawPayload);
      expect(text).toContain(issued[0]!.number);
      expect(text).toContain(issued[1]!.number);
    });

    it('1 per page: one page per invoice; 3 invoices 2 per page: two pages', async () => {
      const serialNos = issued.map((i) => i.serialNo);
      const one = await print(a.auth, { serialNos, perPage: 1 });
      expect(one.statusCode, one.body).toBe(200);
      expect((await PDFDocument.load(one.rawPayload)).getPageCount()).toBe(3);
      const pages = pdfText(one.rawPayload).split('\f');
      for (const [i, inv] of issued.entries()) expect(pages[i]).toContain(inv.number);
      const two = await print(a.auth, { serialNos });
      expect(two.statusCode, two.body).toBe(200);
      expect((await PDFDocument.load(two.rawPayload)).getPageCount()).toBe(2);
    });

    it('tenants are walls: another tenant’s serial number is not found', async () => {
      const res = await print(a.auth, { serialNos: [issued[0]!.serialNo, bSerial] });
      expect(res.statusCode).toBe(404);
      expect(errorOf(res).code).toBe('INVOICE_NOT_FOUND');
      const fromB = await print(b.auth, { serialNos: [issued[0]!.serialNo] });
      expect(fromB.statusCode).toBe(404);
    });

    it('refuses unissued invoices, too many, and a clerk’s other orgs; records the print in the audit log', async () => {
      const notIssued = await print(a.auth, { serialNos: [issued[0]!.serialNo, failedSerial] });
      expect(notIssued.statusCode).toBe(409);
      expect(errorOf(notIssued)).toMatchObject({ code: 'DOCUMENT_NOT_AVAILABLE', details: { serialNo: failedSerial } });
      const tooMany = await print(a.auth, { serialNos: Array.from({ length: 201 }, (_, i) => `SN${i}`) });
      expect(tooMany.statusCode).toBe(400);
      const badPerPage = await print(a.auth, { serialNos: [issued[0]!.serialNo], perPage: 3 });
      expect(badPerPage.statusCode).toBe(400);

      const otherOrg = makeUscc('91310115MA1K4Q7X0');
      await createOrg({ db: t.runtime.deps.db.kysely, clock: t.clock }, a.tenantId, { taxId: otherOrg, name: '别家' });
      const clerk = await loginAs(t, await seedUser(t, a.tenantId, 'clerk', { orgTaxIds: [otherOrg] }));
      const denied = await print(clerk.write, { serialNos: [issued[0]!.serialNo] });
      expect(denied.statusCode).toBe(403);

      const admin = await loginAs(t, await seedUser(t, a.tenantId, 'admin'));
      const ok = await print(admin.write, { serialNos: [issued[2]!.serialNo, issued[0]!.serialNo], perPage: 1 });
      expect(ok.statusCode).toBe(200);
      const log = await t.app.inject({
        method: 'GET',
        url: '/api/v1/audit-log?action=invoices.print',
        headers: admin.read,
      });
      const entry = log
        .json<{ items: { actor: { kind: string; id: string }; diff: Record<string, { to: unknown }> }[] }>()
        .items.find((e) => e.actor.kind === 'user');
      expect(entry?.diff.serialNos?.to).toEqual([issued[2]!.serialNo, issued[0]!.serialNo]);
      expect(entry?.diff.perPage?.to).toBe(1);
    });
  });
}
