import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxChannel } from '../../src/modules/channels/index.js';
import { buildTestApp, errorOf, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { blueInvoice, issueRequest } from './sandbox-kit.js';

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: sandbox admin API`, () => {
    let t: TestApp;
    let sandbox: SandboxChannel;
    let a: SeededTenant;
    let b: SeededTenant;

    beforeAll(async () => {
      // buildApp registers the sandbox routes in the authenticated context when the sandbox is the channel.
      t = await buildTestApp(dialect);
      if (!t.runtime.sandbox) throw new Error('the test app should run the sandbox channel');
      sandbox = t.runtime.sandbox;
      a = await seedTenant(t, 'a');
      b = await seedTenant(t, 'b');
    });
    afterAll(async () => t?.close());

    const issueFor = (tenant: SeededTenant) => {
      const request = issueRequest(tenant.tenantId, blueInvoice());
      return sandbox.issue({ ...request, seller: { ...request.seller, taxId: tenant.sellerTaxId } });
    };

    it('reads and sets a seller quota for this month (China time) or a given one', async () => {
      const url = `/api/v1/sandbox/quotas/${a.sellerTaxId}`;
      const initial = await t.app.inject({ method: 'GET', url, headers: a.auth });
      expect(initial.statusCode).toBe(200);
      expect(initial.json()).toEqual({
        sellerTaxId: a.sellerTaxId,
        month: '2025-06',
        total: '10000000.00',
        used: '0.00',
        remaining: '10000000.00',
      });
      const put = await t.app.inject({ method: 'PUT', url, headers: a.auth, payload: { total: '1000000.00' } });
      expect(put.json()).toMatchObject({ month: '2025-06', total: '1000000.00', remaining: '1000000.00' });
      await issueFor(a);
      const after = await t.app.inject({ method: 'GET', url: `${url}?month=2025-06`, headers: a.auth });
      expect(after.json()).toMatchObject({ used: '100.00', remaining: '999900.00' });
      const july = await t.app.inject({ method: 'GET', url: `${url}?month=2025-07`, headers: a.auth });
      expect(july.json()).toMatchObject({ total: '10000000.00', used: '0.00' });
    });

    it("answers 404 ORG_NOT_FOUND for an unknown seller or another tenant's seller", async () => {
      for (const taxId of ['91110000600037341L', b.sellerTaxId]) {
        const res = await t.app.inject({
          method: 'PUT',
          url: `/api/v1/sandbox/quotas/${taxId}`,
          headers: a.auth,
          payload: { total: '1.00' },
        });
        expect(res.statusCode).toBe(404);
        expect(errorOf(res).code).toBe('ORG_NOT_FOUND');
      }
    });

    it('validates bodies: decimal-string money, no unknown fields', async () => {
      const url = `/api/v1/sandbox/quotas/${a.sellerTaxId}`;
      for (const payload of [
        { total: 100 },
        { total: '1.00', extra: 1 },
        { total: '-1.00' },
        { total: '1', month: '2025-13' },
      ]) {
        const res = await t.app.inject({ method: 'PUT', url, headers: a.auth, payload });
        expect(res.statusCode).toBe(400);
      }
    });

    it('reads and updates settings per tenant', async () => {
      const payload = {
        latencyMs: 0,
        transientFailureRate: 0.25,
        rules: [{ when: { buyerNameContains: '故障' }, fail: 'transient', times: 2 }],
        redFormBuyerDecision: 'manual',
        quotaBasis: 'total',
      };
      const put = await t.app.inject({ method: 'PUT', url: '/api/v1/sandbox/settings', headers: a.auth, payload });
      expect(put.statusCode).toBe(200);
      expect(put.json()).toEqual({ ...payload, permanentFailureRate: 0, defaultQuota: '10000000.00' });
      const got = await t.app.inject({ method: 'GET', url: '/api/v1/sandbox/settings', headers: a.auth });
      expect(got.json()).toEqual(put.json());
      const other = await t.app.inject({ method: 'GET', url: '/api/v1/sandbox/settings', headers: b.auth });
      expect(other.json()).toMatchObject({ redFormBuyerDecision: 'auto_confirm', rules: [] });
      const bad = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/sandbox/settings',
        headers: a.auth,
        payload: { transientFailureRate: 2 },
      });
      expect(bad.statusCode).toBe(400);
    });

    it("pages through the tenant's ledger with a cursor, and looks up a number", async () => {
      const first = await issueFor(b);
      const second = await issueFor(b);
      const page1 = await t.app.inject({ method: 'GET', url: '/api/v1/sandbox/ledger?limit=1', headers: b.auth });
      const body1 = page1.json<{ items: { number: string; issuedAt: string }[]; nextCursor: string | null }>();
      expect(body1.items).toHaveLength(1);
      expect(body1.items[0]?.issuedAt).toBe('2025-06-01T10:00:00.000+08:00');
      const page2 = await t.app.inject({
        method: 'GET',
        url: `/api/v1/sandbox/ledger?limit=1&cursor=${body1.nextCursor}`,
        headers: b.auth,
      });
      const body2 = page2.json<{ items: { number: string }[]; nextCursor: string | null }>();
      expect(body2.nextCursor).toBeNull();
      expect([...body1.items, ...body2.items].map((i) => i.number).sort()).toEqual(
        [first.number, second.number].sort(),
      );
      const lookup = await t.app.inject({
        method: 'GET',
        url: `/api/v1/sandbox/ledger?number=${first.number}`,
        headers: b.auth,
      });
      expect(lookup.json()).toMatchObject({ items: [{ number: first.number, total: '106.00', status: 'normal' }] });
      const fromA = await t.app.inject({
        method: 'GET',
        url: `/api/v1/sandbox/ledger?number=${first.number}`,
        headers: a.auth,
      });
      expect(fromA.json()).toEqual({ items: [], nextCursor: null });
    });

    it('documents the routes in the OpenAPI document under the sandbox tag', async () => {
      const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json<{
        paths: Record<string, Record<string, { tags?: string[] }>>;
      }>();
      expect(doc.paths['/api/v1/sandbox/quotas/{taxId}']?.put?.tags).toEqual(['sandbox']);
      expect(Object.keys(doc.paths).filter((p) => p.startsWith('/api/v1/sandbox/'))).toHaveLength(3);
    });

    it('requires a token', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/sandbox/settings' });
      expect(res.statusCode).toBe(401);
    });
  });
}
