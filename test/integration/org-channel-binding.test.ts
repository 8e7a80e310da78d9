import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueSandboxCredential } from '../../src/modules/channels/index.js';
import { createWorker } from '../../src/platform/jobs/index.js';
import { bindSandboxSeller } from '../../src/sandbox-binding.js';
import { buildTestApp, errorOf, makeUscc, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { blueRequest, get, post, waitForStatus } from '../invoicing/invoicing-kit.js';
import { COMPANY_TITLE, consumer, orderBody, SCAN_ENV, waitForOrder } from '../scan/scan-kit.js';

type OrgBody = { taxId: string; channelBinding: { status: string; boundAt: string | null } };

const credentialFor = (t: TestApp, taxId: string) =>
  issueSandboxCredential({ db: t.runtime.deps.db.kysely, clock: t.clock }, taxId);

const bind = (t: TestApp, who: SeededTenant, taxId: string, payload: unknown) =>
  t.app.inject({
    method: 'POST',
    url: `/api/v1/orgs/${taxId}/channel-binding`,
    headers: who.auth,
    payload: payload as object,
  });

const unbind = (t: TestApp, who: SeededTenant, taxId: string) =>
  t.app.inject({ method: 'DELETE', url: `/api/v1/orgs/${taxId}/channel-binding`, headers: who.auth });

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: seller channel-account binding`, () => {
    let t: TestApp;
    let a: SeededTenant;
    let b: SeededTenant;

    beforeAll(async () => {
      t = await buildTestApp(dialect, SCAN_ENV, undefined, { worker: true });
      a = await seedTenant(t, 'A');
      b = await seedTenant(t, 'B');
    });
    afterAll(async () => t?.close());

    it('tenant B registering A’s tax id can never issue under it, nor bind it while A holds it', async () => {
      const created = await post(t, b, '/api/v1/orgs', { taxId: a.sellerTaxId, name: '冒名销方' });
      expect(created.statusCode).toBe(201);
      expect(created.json<OrgBody>().channelBinding).toEqual({ status: 'unbound', boundAt: null });

      const issued = await post(t, b, '/api/v1/invoices', blueRequest(a));
      expect(issued.statusCode).toBe(422);
      expect(errorOf(issued).code).toBe('SELLER_NOT_BOUND');
      expect(errorOf(issued).message).toContain('绑定');
      const setting = await post(t, b, '/api/v1/scan/settings', {
        sellerTaxId: a.sellerTaxId,
        scanType: 'issue',
        allowedKinds: ['82'],
        validityDays: 30,
      });
      expect(setting.statusCode).toBe(422);
      expect(errorOf(setting).code).toBe('SELLER_NOT_BOUND');

      const without = await bind(t, b, a.sellerTaxId, {});
      expect(without.statusCode).toBe(400);
      expect(errorOf(without).code).toBe('VALIDATION_FAILED');
      const wrong = await bind(t, b, a.sellerTaxId, { credential: 'sbxc_guessed' });
      expect(wrong.statusCode).toBe(403);
      expect(errorOf(wrong)).toMatchObject({
        code: 'CHANNEL_CREDENTIAL_INVALID',
        message: expect.stringContaining('凭据'),
      });

      // Even the right credential (the operator re-issued it) cannot take the tax id while A holds it.
      const credential = await credentialFor(t, a.sellerTaxId);
      const taken = await bind(t, b, a.sellerTaxId, { credential });
      expect(taken.statusCode).toBe(409);
      expect(errorOf(taken).code).toBe('ORG_BOUND_ELSEWHERE');
      expect(taken.body).not.toContain(a.tenantId);

      const again = await post(t, b, '/api/v1/invoices', blueRequest(a));
      expect(errorOf(again).code).toBe('SELLER_NOT_BOUND');
      const ofB = await get(t, b, `/api/v1/orgs/${a.sellerTaxId}`);
      expect(ofB.json<OrgBody>().channelBinding.status).toBe('unbound');
      const ofA = await get(t, a, `/api/v1/orgs/${a.sellerTaxId}`);
      expect(ofA.json<OrgBody>().channelBinding).toEqual({
        status: 'bound',
        boundAt: expect.stringMatching(/\+08:00$/),
      });
      const list = await get(t, a, '/api/v1/orgs');
      expect(list.json<{ items: OrgBody[] }>().items[0]!.channelBinding.status).toBe('bound');
    });

    it('concurrent binds of one tax id by two tenants: exactly one wins', async () => {
      for (let round = 0; round < 4; round++) {
        const taxId = makeUscc(`91440101MA5CRACE${round}`);
        const c = await seedTenant(t, `C${round}`);
        const d = await seedTenant(t, `D${round}`);
        for (const who of [c, d]) {
          expect((await post(t, who, '/api/v1/orgs', { taxId, name: '并发绑定测试有限公司' })).statusCode).toBe(201);
        }
        const credential = await credentialFor(t, taxId);
        const answers = await Promise.all([
          bind(t, c, taxId, { credential }),
          bind(t, d, taxId, { credential }),
          bind(t, c, taxId, { credential }),
          bind(t, d, taxId, { credential }),
        ]);
        const codes = answers.map((r) => r.statusCode);
        expect(codes.every((code) => code === 200 || code === 409)).toBe(true);
        // The winning tenant's two calls both answer 200 (the second is a no-op); the other's both 409.
        const cWon = codes[0] === 200;
        expect(codes).toEqual(cWon ? [200, 409, 200, 409] : [409, 200, 409, 200]);
        const views = await Promise.all([get(t, c, `/api/v1/orgs/${taxId}`), get(t, d, `/api/v1/orgs/${taxId}`)]);
        expect(views.map((v) => v.json<OrgBody>().channelBinding.status)).toEqual(
          cWon ? ['bound', 'unbound'] : ['unbound', 'bound'],
        );
      }
    });

    it('binding again from the holder keeps it; after the holder unbinds, another tenant may bind and issue', async () => {
      const taxId = makeUscc('91330100MA2HAND01');
      const e = await seedTenant(t, 'E');
      const f = await seedTenant(t, 'F');
      for (const who of [e, f]) await post(t, who, '/api/v1/orgs', { taxId, name: '交接测试有限公司' });
      const credential = await credentialFor(t, taxId);
      const first = await bind(t, e, taxId, { credential });
      expect(first.statusCode).toBe(200);
      const boundAt = first.json<OrgBody>().channelBinding.boundAt;
      t.clock.advance(60_000);
      const second = await bind(t, e, taxId, { credential });
      expect(second.json<OrgBody>().channelBinding).toEqual({ status: 'bound', boundAt });

      const released = await unbind(t, e, taxId);
      expect(released.statusCode).toBe(200);
      expect(released.json<OrgBody>().channelBinding).toEqual({ status: 'unbound', boundAt: null });
      expect(errorOf(await post(t, e, '/api/v1/invoices', blueRequest({ ...e, sellerTaxId: taxId }))).code).toBe(
        'SELLER_NOT_BOUND',
      );

      expect((await bind(t, f, taxId, { credential })).statusCode).toBe(200);
      const req = blueRequest({ ...f, sellerTaxId: taxId });
      expect((await post(t, f, '/api/v1/invoices', req)).statusCode).toBe(202);
      expect((await waitForStatus(t, f, req.serialNo, (s) => s === 'issued' || s === 'failed')).status).toBe('issued');
    });

    it('refuses red reversals and scan orders of a seller that was unbound', async () => {
      const g = await seedTenant(t, 'G');
      const blue = blueRequest(g);
      expect((await post(t, g, '/api/v1/invoices', blue)).statusCode).toBe(202);
      await waitForStatus(t, g, blue.serialNo, (s) => s === 'issued');
      const setting = await post(t, g, '/api/v1/scan/settings', {
        sellerTaxId: g.sellerTaxId,
        scanType: 'issue',
        allowedKinds: ['82'],
        validityDays: 30,
      });
      expect(setting.statusCode).toBe(201);
      const key = setting.json<{ key: string }>().key;
      const early = await post(t, g, '/api/v1/scan/orders', orderBody(key));
      expect(early.statusCode).toBe(201);
      const pushed = early.json<{ orderNo: string; token: string }>();

      expect((await unbind(t, g, g.sellerTaxId)).statusCode).toBe(200);
      const red = await post(t, g, `/api/v1/invoices/${blue.serialNo}/red`, {
        redSerialNo: `${blue.serialNo}R`,
        reason: '01',
      });
      expect(red.statusCode).toBe(422);
      expect(errorOf(red).code).toBe('SELLER_NOT_BOUND');
      const order = await post(t, g, '/api/v1/scan/orders', orderBody(key));
      expect(order.statusCode).toBe(422);
      expect(errorOf(order).code).toBe('SELLER_NOT_BOUND');
      const direct = await post(t, g, '/api/v1/invoices', blueRequest(g));
      expect(errorOf(direct).code).toBe('SELLER_NOT_BOUND');
      // An order pushed while bound and submitted by the consumer after the unbind fails instead of issuing.
      const submitted = await consumer(t).submit(`/s/${pushed.token}`, { ...COMPANY_TITLE, kind: '82' });
      expect(submitted.statusCode).toBeLessThan(500);
      const failed = await waitForOrder(t, g, pushed.orderNo, (s) => s === 'failed' || s === 'invoiced');
      expect(failed).toMatchObject({ status: 'failed', failureReason: expect.stringContaining('绑定') });

      await bindSandboxSeller(t.runtime.deps, g.tenantId, g.sellerTaxId);
      expect((await post(t, g, '/api/v1/scan/orders', orderBody(key))).statusCode).toBe(201);
    });

    it('keeps only a hash of the sandbox credential; re-issuing replaces it', async () => {
      const taxId = makeUscc('91320100MA3HXH001');
      const h = await seedTenant(t, 'H');
      await post(t, h, '/api/v1/orgs', { taxId, name: '凭据测试有限公司' });
      const old = await credentialFor(t, taxId);
      const rows = await t.runtime.deps.db.kysely.selectFrom('sandbox_credentials').selectAll().execute();
      expect(JSON.stringify(rows)).not.toContain(old);
      const current = await credentialFor(t, taxId);
      expect(current).not.toBe(old);
      expect((await bind(t, h, taxId, { credential: old })).statusCode).toBe(403);
      expect((await bind(t, h, taxId, { credential: current })).statusCode).toBe(200);
    });
  });

  describe.skipIf(dialect.skip)(`${dialect.name}: queued jobs re-check the binding when they run`, () => {
    let t: TestApp;
    let a: SeededTenant;

    beforeAll(async () => {
      t = await buildTestApp(dialect);
      a = await seedTenant(t, 'A');
    });
    afterAll(async () => t?.close());

    /** Runs the job worker until `fn` is done (jobs queued before stay queued until then). */
    async function withWorker<T>(fn: () => Promise<T>): Promise<T> {
      const worker = createWorker({
        db: t.runtime.deps.db,
        registry: t.runtime.deps.jobs.registry,
        config: { ...t.config.jobs, pollIntervalMs: 20, concurrency: 2 },
        logger: t.runtime.deps.logger,
        clock: t.clock,
        backoff: () => 0,
      });
      worker.start();
      try {
        return await fn();
      } finally {
        await worker.stop();
      }
    }
    const settled = (s: string) => s !== 'pending' && s !== 'issuing';

    it('an issue job fails with SELLER_NOT_BOUND when the seller was unbound before the worker issued it', async () => {
      const req = blueRequest(a);
      expect((await post(t, a, '/api/v1/invoices', req)).statusCode).toBe(202);
      expect((await unbind(t, a, a.sellerTaxId)).statusCode).toBe(200);
      const failed = await withWorker(() => waitForStatus(t, a, req.serialNo, settled));
      expect(failed).toMatchObject({ status: 'failed', failure: { code: 'SELLER_NOT_BOUND' } });
      const ledger = await get(t, a, '/api/v1/sandbox/ledger');
      expect(ledger.json<{ items: unknown[] }>().items).toEqual([]);
      // Retrying while still unbound is refused up front; once bound again the retry issues.
      const retry = await post(t, a, `/api/v1/invoices/${req.serialNo}/retry`);
      expect(retry.statusCode).toBe(422);
      expect(errorOf(retry).code).toBe('SELLER_NOT_BOUND');
      await bindSandboxSeller(t.runtime.deps, a.tenantId, a.sellerTaxId);
      expect((await post(t, a, `/api/v1/invoices/${req.serialNo}/retry`)).statusCode).toBe(200);
      const issued = await withWorker(() => waitForStatus(t, a, req.serialNo, settled));
      expect(issued.status).toBe('issued');
    });

    it('a red-form job fails with SELLER_NOT_BOUND when the seller was unbound after the red was requested', async () => {
      const blue = blueRequest(a);
      expect((await post(t, a, '/api/v1/invoices', blue)).statusCode).toBe(202);
      await withWorker(() => waitForStatus(t, a, blue.serialNo, (s) => s === 'issued'));
      const redSerialNo = `${blue.serialNo}R`;
      const red = await post(t, a, `/api/v1/invoices/${blue.serialNo}/red`, { redSerialNo, reason: '01' });
      expect(red.statusCode).toBeLessThan(300);
      expect((await unbind(t, a, a.sellerTaxId)).statusCode).toBe(200);
      const failed = await withWorker(() => waitForStatus(t, a, redSerialNo, settled));
      expect(failed).toMatchObject({ status: 'failed', failure: { code: 'SELLER_NOT_BOUND' } });
      expect((await get(t, a, `/api/v1/invoices/${blue.serialNo}`)).json()).toMatchObject({ status: 'issued' });
      const forms = await t.runtime.deps.db.kysely.selectFrom('sandbox_red_forms').select('id').execute();
      expect(forms).toEqual([]);
    });
  });
}
