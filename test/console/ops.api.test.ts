import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrg } from '../../src/modules/orgs/index.js';
import { bindSandboxSeller } from '../../src/sandbox-binding.js';
import { type ConsoleSession, loginAs, seedUser } from '../auth/console-kit.js';
import { buildTestApp, errorOf, makeUscc, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import {
  blueRequest,
  nextSerial,
  post,
  requestRed,
  waitForRedForm,
  waitForStatus,
} from '../invoicing/invoicing-kit.js';
import { COMPANY_TITLE, consumer, createScanSetting, orderBody, pushOrder, SCAN_ENV } from '../scan/scan-kit.js';

interface AuditEntry {
  action: string;
  actor: { kind: string; id: string; name: string };
  target: { type: string; id: string };
  diff: Record<string, { from: unknown; to: unknown }>;
  requestId: string | null;
  clientAddress: string | null;
}

/**
 * Issue #13, console operations: every invoicing action of a console user or an API app is in the audit log (one
 * entry, in the change's transaction), and a clerk (开票员) reaches only the seller orgs assigned to them.
 */
for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: invoicing audit and clerk scoping`, () => {
    let t: TestApp;
    let a: SeededTenant;
    let admin: ConsoleSession;
    let adminId: string;
    /** A second seller org of tenant A, assigned to the clerk. */
    let otherSeller: string;
    let clerk: ConsoleSession;

    const settings = (body: unknown) =>
      t.app.inject({ method: 'PUT', url: '/api/v1/sandbox/settings', headers: a.auth, payload: body as object });
    const asAdmin = (method: 'POST' | 'PATCH', url: string, payload?: object) =>
      t.app.inject({ method, url, headers: admin.write, ...(payload ? { payload } : {}) });
    const auditOf = async (target: string, action?: string): Promise<AuditEntry[]> => {
      const q = new URLSearchParams({ target, ...(action ? { action } : {}) });
      const res = await t.app.inject({ url: `/api/v1/audit-log?${q}`, headers: admin.read });
      expect(res.statusCode, res.body).toBe(200);
      return res.json<{ items: AuditEntry[] }>().items;
    };
    const failingRequest = async (buyerName: string) => {
      const req = blueRequest(a, { buyer: { name: buyerName, taxId: '91110000600037341L' } });
      expect((await post(t, a, '/api/v1/invoices', req)).statusCode).toBe(202);
      await waitForStatus(t, a, req.serialNo, (s) => s === 'failed');
      return req.serialNo;
    };

    beforeAll(async () => {
      t = await buildTestApp(dialect, SCAN_ENV, undefined, { worker: true });
      a = await seedTenant(t, 'A');
      const ctx = { db: t.runtime.deps.db.kysely, clock: t.clock };
      otherSeller = makeUscc('91310115MA1K4Q9R8');
      await createOrg(ctx, a.tenantId, { taxId: otherSeller, name: 'A 第二销方有限公司' });
      await bindSandboxSeller(t.runtime.deps, a.tenantId, otherSeller);
      const adminUser = await seedUser(t, a.tenantId, 'admin');
      adminId = adminUser.id;
      admin = await loginAs(t, adminUser);
      clerk = await loginAs(t, await seedUser(t, a.tenantId, 'clerk', { orgTaxIds: [otherSeller] }));
      await settings({
        rules: [{ when: { buyerNameContains: '错误抬头' }, fail: 'permanent', code: 'BUYER_NAME_REJECTED' }],
      });
    }, 120_000);
    afterAll(async () => t?.close());

    it('audits an invoice created by a console user and by an API app, once (a replay records nothing)', async () => {
      const req = blueRequest(a);
      const res = await asAdmin('POST', '/api/v1/invoices?wait=10', req);
      expect(res.statusCode, res.body).toBe(200);
      expect((await asAdmin('POST', '/api/v1/invoices', req)).json().serialNo).toBe(req.serialNo); // replay
      const entries = await auditOf(req.serialNo, 'invoices.create');
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({
        actor: { kind: 'user', id: adminId },
        target: { type: 'invoice', id: req.serialNo },
        diff: {
          status: { from: null, to: 'pending' },
          sellerTaxId: { from: null, to: a.sellerTaxId },
          total: { from: null, to: '2190.00' },
        },
        requestId: expect.any(String),
        clientAddress: '127.0.0.1',
      });

      const byApp = blueRequest(a);
      expect((await post(t, a, '/api/v1/invoices', byApp)).statusCode).toBe(202);
      // The replay answers what the invoice is by then: 202 still issuing, 200 issued (its job may have finished).
      expect([200, 202]).toContain((await post(t, a, '/api/v1/invoices', byApp)).statusCode);
      const appEntries = await auditOf(byApp.serialNo, 'invoices.create');
      expect(appEntries.map((e) => e.actor)).toEqual([{ kind: 'app', id: a.appId, name: a.appId }]);
    });

    it('audits edit, resubmit and cancel of failed requests', async () => {
      const serialNo = await failingRequest('错误抬头一有限公司');
      const patched = await asAdmin('PATCH', `/api/v1/invoices/${serialNo}`, {
        buyer: { name: '正确抬头有限公司', taxId: '91110000600037341L' },
      });
      expect(patched.statusCode, patched.body).toBe(200);
      const retried = await asAdmin('POST', `/api/v1/invoices/${serialNo}/retry?wait=10`);
      expect(retried.json()).toMatchObject({ status: 'issued' });
      const [update] = await auditOf(serialNo, 'invoices.update');
      expect(update?.diff.buyerName).toEqual({ from: '错误抬头一有限公司', to: '正确抬头有限公司' });
      const [retry] = await auditOf(serialNo, 'invoices.retry');
      expect(retry?.diff).toMatchObject({ status: { from: 'failed', to: 'pending' }, revision: { from: 0, to: 1 } });

      const cancelled = await failingRequest('错误抬头二有限公司');
      expect((await asAdmin('POST', `/api/v1/invoices/${cancelled}/cancel`)).json().status).toBe('cancelled');
      const [cancel] = await auditOf(cancelled, 'invoices.cancel');
      expect(cancel?.diff).toEqual({ status: { from: 'failed', to: 'cancelled' } });
      expect(cancel?.actor).toMatchObject({ kind: 'user', id: adminId });
    });

    it('audits partial and full red requests, red-form confirm and reject, and a re-send', async () => {
      const blue = blueRequest(a);
      expect((await asAdmin('POST', '/api/v1/invoices?wait=10', blue)).json().status).toBe('issued');
      const partial = await asAdmin('POST', `/api/v1/invoices/${blue.serialNo}/red?wait=10`, {
        redSerialNo: nextSerial('RED'),
        reason: '04',
        lines: [{ lineNo: 1, amount: '-300.00' }],
      });
      expect(partial.json()).toMatchObject({ status: 'issued', totals: { amount: '-300.00', tax: '-18.00' } });
      const [red] = await auditOf(blue.serialNo, 'invoices.red');
      expect(red?.diff.status).toEqual({ from: 'issued', to: 'red_pending' });
      expect(red?.diff.red?.to).toMatchObject({ partial: true, amount: '-300.00', tax: '-18.00', redReason: '04' });

      const resend = await asAdmin('POST', `/api/v1/invoices/${blue.serialNo}/deliver`, {
        email: 'buyer@example.com',
      });
      expect(resend.statusCode, resend.body).toBe(202);
      expect(await auditOf(blue.serialNo, 'delivery.buyer.resend')).toHaveLength(1);

      await settings({ redFormBuyerDecision: 'manual' });
      for (const decision of ['confirm', 'reject'] as const) {
        const b = blueRequest(a);
        expect((await asAdmin('POST', '/api/v1/invoices?wait=10', b)).json().status).toBe('issued');
        const redSerialNo = nextSerial('RED');
        expect(
          (await asAdmin('POST', `/api/v1/invoices/${b.serialNo}/red`, { redSerialNo, reason: '01' })).statusCode,
        ).toBe(202);
        const form = await waitForRedForm(t, a, redSerialNo);
        const res = await asAdmin(
          'POST',
          `/api/v1/red-forms/${form.id}/${decision}`,
          decision === 'reject' ? { reason: '购方称金额有误' } : undefined,
        );
        expect(res.statusCode, res.body).toBe(200);
        const [entry] = await auditOf(form.formNo, `red_forms.${decision}`);
        expect(entry).toMatchObject({
          target: { type: 'red_form', id: form.formNo },
          diff: { status: { from: 'pending_buyer', to: decision === 'confirm' ? 'confirmed' : 'rejected' } },
        });
        if (decision === 'reject') expect(entry?.diff.reason).toEqual({ from: null, to: '购方称金额有误' });
      }
      await settings({ redFormBuyerDecision: 'auto_confirm' });
    });

    it('audits issuing and withdrawing scan orders', async () => {
      const setting = await createScanSetting(t, a, { scanType: 'title_only' });
      const order = await pushOrder(t, a, orderBody(setting.key));
      await consumer(t).submit(`/s/${order.token}`, { ...COMPANY_TITLE, kind: '82' });
      const issued = await asAdmin('POST', `/api/v1/scan/orders/${order.orderNo}/issue`);
      expect(issued.json().status).toBe('invoicing');
      expect((await auditOf(order.orderNo, 'scan.orders.issue'))[0]?.diff.status).toEqual({
        from: 'submitted',
        to: 'invoicing',
      });
      const open = await pushOrder(t, a, orderBody(setting.key));
      expect((await asAdmin('POST', `/api/v1/scan/orders/${open.orderNo}/withdraw`)).json().status).toBe('withdrawn');
      expect(await auditOf(open.orderNo, 'scan.orders.withdraw')).toHaveLength(1);
    });

    it('keeps a clerk to the seller orgs assigned to them on every invoicing and scan route', async () => {
      // Tenant A's first seller is not the clerk's: an issued invoice, a failed one, a pending red form, a setting.
      const issued = blueRequest(a);
      expect((await post(t, a, '/api/v1/invoices?wait=10', issued)).json().status).toBe('issued');
      const failed = await failingRequest('错误抬头三有限公司');
      await settings({ redFormBuyerDecision: 'manual' });
      const forRed = blueRequest(a);
      expect((await post(t, a, '/api/v1/invoices?wait=10', forRed)).json().status).toBe('issued');
      const { redSerialNo } = await requestRed(t, a, forRed.serialNo);
      const form = await waitForRedForm(t, a, redSerialNo);
      await settings({ redFormBuyerDecision: 'auto_confirm' });
      const setting = await createScanSetting(t, a, { scanType: 'title_only' });
      const order = await pushOrder(t, a, orderBody(setting.key));

      const denied = async (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) => {
        const res = await t.app.inject({
          method,
          url,
          headers: method === 'GET' ? clerk.read : clerk.write,
          ...(payload ? { payload } : {}),
        });
        expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(403);
        return errorOf(res);
      };
      const notAssigned = async (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
        expect((await denied(method, url, payload)).code, `${method} ${url}`).toBe('ORG_NOT_ASSIGNED');

      await notAssigned('GET', `/api/v1/invoices/${issued.serialNo}`);
      await notAssigned('GET', `/api/v1/invoices/${issued.serialNo}/files/pdf`);
      await notAssigned('GET', `/api/v1/invoices/${issued.serialNo}/links`);
      await notAssigned('GET', `/api/v1/invoices/${issued.serialNo}/deliveries`);
      await notAssigned('POST', `/api/v1/invoices/${issued.serialNo}/deliver`, { email: 'x@example.com' });
      await notAssigned('PATCH', `/api/v1/invoices/${failed}`, { remark: '改' });
      await notAssigned('POST', `/api/v1/invoices/${failed}/retry`);
      await notAssigned('POST', `/api/v1/invoices/${failed}/cancel`);
      await notAssigned('GET', `/api/v1/invoices?sellerTaxId=${a.sellerTaxId}`);
      await notAssigned('GET', `/api/v1/red-forms/${form.id}`);
      await notAssigned('GET', `/api/v1/scan/settings/${setting.key}`);
      await notAssigned('PATCH', `/api/v1/scan/settings/${setting.key}`, { enabled: false });
      await notAssigned('POST', `/api/v1/scan/settings/${setting.key}/rotate-secret`);
      await notAssigned('POST', '/api/v1/scan/settings', {
        sellerTaxId: a.sellerTaxId,
        scanType: 'issue',
        allowedKinds: ['82'],
        validityDays: 30,
      });
      await notAssigned('POST', '/api/v1/scan/orders', orderBody(setting.key));
      await notAssigned('GET', `/api/v1/scan/orders/${order.orderNo}`);
      await notAssigned('POST', `/api/v1/scan/orders/${order.orderNo}/withdraw`);
      await notAssigned('POST', `/api/v1/scan/orders/${order.orderNo}/issue`);
      await notAssigned('GET', `/api/v1/scan/orders?settingKey=${setting.key}`);
      // Red-letter work needs invoices.red, which a clerk does not have at all.
      const red = await denied('POST', `/api/v1/invoices/${issued.serialNo}/red`, {
        redSerialNo: nextSerial('RED'),
        reason: '01',
      });
      expect(red).toMatchObject({ code: 'FORBIDDEN', details: { permission: 'invoices.red' } });
      expect(red.message).toContain('invoices.red');
      expect((await denied('POST', `/api/v1/red-forms/${form.id}/confirm`)).code).toBe('FORBIDDEN');

      // Lists and the monitor leave the other seller out; the clerk's own seller is there.
      const read = async (url: string) => {
        const res = await t.app.inject({ url, headers: clerk.read });
        expect(res.statusCode, res.body).toBe(200);
        return res.json();
      };
      const mine = blueRequest(a, {
        seller: { taxId: otherSeller },
        buyer: { name: '错误抬头四有限公司', taxId: '91110000600037341L' },
      });
      expect(
        (await t.app.inject({ method: 'POST', url: '/api/v1/invoices', headers: clerk.write, payload: mine }))
          .statusCode,
      ).toBe(202);
      await waitForStatus(t, a, mine.serialNo, (s) => s === 'failed');
      const serials = (body: { items: { serialNo: string }[] }) => body.items.map((i) => i.serialNo);
      expect(serials(await read('/api/v1/invoices'))).toEqual([mine.serialNo]);
      const monitor = await read('/api/v1/invoice-monitor');
      expect(monitor.failed.map((f: { serialNo: string }) => f.serialNo)).toEqual([mine.serialNo]);
      expect(monitor.inFlight).toEqual([]);
      expect(monitor.counts).toEqual({ failed: 1 });
      expect(monitor.failureCodes).toEqual([{ code: 'BUYER_NAME_REJECTED', count: 1 }]);
      expect((await read('/api/v1/red-forms')).items).toEqual([]);
      expect((await read('/api/v1/scan/settings')).items).toEqual([]);
      expect((await read('/api/v1/scan/orders')).items).toEqual([]);
      expect((await read('/api/v1/dashboard')).statuses.failed).toBe(1);
      // The clerk acts on their own org's request (and it is audited as theirs).
      const fixed = await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/invoices/${mine.serialNo}`,
        headers: clerk.write,
        payload: { buyer: { name: '正确抬头有限公司', taxId: '91110000600037341L' } },
      });
      expect(fixed.statusCode, fixed.body).toBe(200);
      const [entry] = await auditOf(mine.serialNo, 'invoices.update');
      expect(entry?.actor).toMatchObject({ kind: 'user', id: clerk.info.user.id });
      // Admins see every org.
      const all = await t.app.inject({ url: '/api/v1/invoice-monitor', headers: admin.read });
      expect(all.json().failed.map((f: { serialNo: string }) => f.serialNo)).toContain(failed);
    });
  });
}
