import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheOf } from '../../src/platform/cache/index.js';
import { nextSignals } from '../helpers/signals.js';
import { buildTestApp, errorOf, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { blueRequest } from '../invoicing/invoicing-kit.js';

/**
 * Caches and `?wait` across nodes: on PostgreSQL node A (HTTP only, no worker) and node B (HTTP and a worker) are two
 * runtimes on one database — two pools, two LISTEN connections, two sets of caches, as two processes would have. On
 * SQLite (one process) both roles are one node.
 */
for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: caches and ?wait across nodes`, () => {
    let a: TestApp;
    let b: TestApp;
    let tenant: SeededTenant;

    beforeAll(async () => {
      if (dialect.name === 'postgres') {
        a = await buildTestApp(dialect);
        b = await buildTestApp(dialect, {}, undefined, { worker: true, sameDatabaseAs: a });
      } else {
        a = await buildTestApp(dialect, {}, undefined, { worker: true });
        b = a;
      }
      tenant = await seedTenant(a, 'nodes');
      // Caches store only while their node listens (else an invalidation could be missed).
      expect(await a.runtime.deps.signals.listening()).toBe(true);
      expect(await b.runtime.deps.signals.listening()).toBe(true);
    });
    afterAll(async () => {
      if (b !== a) await b?.close();
      await a?.close();
    });

    /** Resolves once node `t` heard an invalidation of cache `name` (on one node: at once, it published it). */
    const heardOn = (t: TestApp, name: string) => nextSignals(t.runtime.deps.signals, `cache.${name}`);

    /** How many entries node `t` holds in the cache named `name` (proves a later refusal is an invalidation). */
    const cached = (t: TestApp, name: string) =>
      cacheOf(t.runtime.deps.db.kysely, { name, ttlMs: 1, maxEntries: 1 })?.size() ?? 0;

    const me = (t: TestApp, auth = tenant.auth) => t.app.inject({ url: '/api/v1/auth/me', headers: auth });

    it('?wait on node A answers with the invoice a worker on node B issued, woken by its signal', async () => {
      const body = blueRequest(tenant);
      const settled = nextSignals(a.runtime.deps.signals, 'invoice.settled');
      const res = await a.app.inject({
        method: 'POST',
        url: '/api/v1/invoices?wait=10',
        headers: tenant.auth,
        payload: body,
      });
      expect(res.statusCode).toBe(200);
      expect(res.json<{ status: string }>().status).toBe('issued');
      // Node A heard the settling from node B's worker (the waiter sleeps on exactly this signal).
      expect((await settled)[0]?.key).toMatch(/^inv_/);
    });

    it('reports its signals in /metrics', async () => {
      const metrics = (await a.app.inject({ url: '/metrics' })).body;
      expect(metrics).toMatch(/^openfapiao_signals_sent_total \d+/m);
      expect(metrics).toMatch(/^openfapiao_signals_received_total \d+/m);
      if (dialect.name === 'postgres') {
        expect(metrics).toMatch(/^openfapiao_signal_listener_up 1$/m);
        expect(metrics).toMatch(/^openfapiao_signals_received_total [1-9]/m);
        expect(metrics).toMatch(/^openfapiao_signal_listener_changes_total\{state="up"\} 1$/m);
      }
    });

    it('a revoked token is refused by the next request on this node and, once the signal arrives, on the other', async () => {
      const other = await seedTenant(a, 'revoked');
      // Both nodes have the token cached now.
      expect((await me(a, other.auth)).statusCode).toBe(200);
      expect((await me(b, other.auth)).statusCode).toBe(200);
      expect((await me(b, other.auth)).statusCode).toBe(200);
      expect(cached(b, 'auth.tokens')).toBeGreaterThan(0);
      const heard = heardOn(b, 'auth.tokens');
      const revoked = await a.app.inject({ method: 'POST', url: '/api/v1/auth/revoke', headers: other.auth });
      expect(revoked.statusCode).toBe(204);
      expect(errorOf(await me(a, other.auth)).code).toBe('AUTH_TOKEN_INVALID');
      await heard;
      expect(errorOf(await me(b, other.auth)).code).toBe('AUTH_TOKEN_INVALID');
      // Other tokens stay valid (and cached).
      expect((await me(b)).statusCode).toBe(200);
    });

    it('an org changed on node A is seen by node B', async () => {
      const url = `/api/v1/orgs/${tenant.sellerTaxId}`;
      expect((await b.app.inject({ url, headers: tenant.auth })).json<{ name: string }>().name).toBe(
        'nodes 销方有限公司',
      );
      expect(cached(b, 'orgs.by-tax-id')).toBeGreaterThan(0);
      const heard = heardOn(b, 'orgs.by-tax-id');
      const patched = await a.app.inject({
        method: 'PATCH',
        url,
        headers: tenant.auth,
        payload: { name: '新名称有限公司' },
      });
      expect(patched.statusCode).toBe(200);
      await heard;
      expect((await b.app.inject({ url, headers: tenant.auth })).json<{ name: string }>().name).toBe('新名称有限公司');
    });

    it('the tenant org list (read by every intake and compliance check) is cached; an org created on A is seen on B', async () => {
      const list = async () =>
        (await b.app.inject({ url: '/api/v1/orgs', headers: tenant.auth })).json<{ items: { taxId: string }[] }>()
          .items;
      const before = await list();
      expect(cached(b, 'orgs.of-tenant')).toBeGreaterThan(0);
      const heard = heardOn(b, 'orgs.of-tenant');
      const created = await a.app.inject({
        method: 'POST',
        url: '/api/v1/orgs',
        headers: tenant.auth,
        payload: { taxId: '91310115MA1K4Q8R56', name: '第二家有限公司' },
      });
      expect(created.statusCode, created.body).toBe(201);
      await heard;
      expect((await list()).map((o) => o.taxId)).toEqual([...before.map((o) => o.taxId), '91310115MA1K4Q8R56']);
    });

    it('a seller unbound on node A cannot issue on node B', async () => {
      // Node B has the binding cached from issuing.
      const ok = await b.app.inject({
        method: 'POST',
        url: '/api/v1/invoices',
        headers: tenant.auth,
        payload: blueRequest(tenant),
      });
      expect(ok.statusCode).toBe(202);
      expect(cached(b, 'orgs.bindings')).toBeGreaterThan(0);
      const heard = heardOn(b, 'orgs.bindings');
      const unbound = await a.app.inject({
        method: 'DELETE',
        url: `/api/v1/orgs/${tenant.sellerTaxId}/channel-binding`,
        headers: tenant.auth,
      });
      expect(unbound.statusCode).toBe(200);
      await heard;
      const refused = await b.app.inject({
        method: 'POST',
        url: '/api/v1/invoices',
        headers: tenant.auth,
        payload: blueRequest(tenant),
      });
      expect(refused.statusCode).toBe(422);
      expect(errorOf(refused).code).toBe('SELLER_NOT_BOUND');
    });
  });
}
