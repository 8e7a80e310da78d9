import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, errorOf, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: platform HTTP`, () => {
    let t: TestApp;
    let a: SeededTenant;

    beforeAll(async () => {
      t = await buildTestApp(dialect, {}, (app) => {
        app.get('/api/v1/__boom', { schema: { hide: true } }, async () => {
          throw new Error('secret database detail: password=hunter2');
        });
      });
      a = await seedTenant(t, 'A');
    });
    afterAll(async () => t?.close());

    it('answers unknown routes with a JSON NOT_FOUND error', async () => {
      const res = await t.app.inject({ url: '/api/v1/nope' });
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toContain('application/json');
      expect(errorOf(res)).toMatchObject({ code: 'NOT_FOUND', message: '资源不存在', requestId: expect.any(String) });
    });

    it('answers malformed JSON with INVALID_JSON, not a 5xx', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/orgs',
        headers: { ...a.auth, 'content-type': 'application/json' },
        payload: '{"taxId": ',
      });
      expect(res.statusCode).toBe(400);
      expect(errorOf(res).code).toBe('INVALID_JSON');
    });

    it('answers an unsupported content type with UNSUPPORTED_MEDIA_TYPE', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/orgs',
        headers: { ...a.auth, 'content-type': 'application/xml' },
        payload: '<org/>',
      });
      expect(res.statusCode).toBe(415);
      expect(errorOf(res).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    });

    it('answers a too large body with PAYLOAD_TOO_LARGE', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/orgs',
        headers: { ...a.auth, 'content-type': 'application/json' },
        payload: JSON.stringify({ name: 'x'.repeat(1_100_000) }),
      });
      expect(res.statusCode).toBe(413);
      expect(errorOf(res).code).toBe('PAYLOAD_TOO_LARGE');
    });

    it('refuses numbers where the schema wants strings (no silent coercion of bodies)', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/orgs',
        headers: a.auth,
        payload: { taxId: 123, name: 'x' },
      });
      expect(res.statusCode).toBe(400);
      expect(errorOf(res).details?.errors).toEqual(
        expect.arrayContaining([expect.objectContaining({ path: '/body/taxId' })]),
      );
    });

    it("answers a malformed URL or a too long path parameter with the JSON error body, not Fastify's", async () => {
      for (const url of ['/api/v1/orgs/%', '/%E0%A4%A', `/api/v1/orgs/${'x'.repeat(300)}`]) {
        const res = await t.app.inject({ url, headers: a.auth });
        expect(res.statusCode, url).toBe(400);
        expect(errorOf(res), url).toMatchObject({
          code: 'BAD_REQUEST',
          message: '请求无效',
          requestId: expect.any(String),
        });
      }
    });

    it('refuses a NUL character in a path, query or body string with VALIDATION_FAILED on both dialects', async () => {
      const answers = [
        await t.app.inject({ url: '/api/v1/orgs/%00', headers: a.auth }),
        await t.app.inject({ url: '/api/v1/business-systems/a%00b', headers: a.auth }),
        await t.app.inject({ url: '/api/v1/webhook-deliveries?serialNo=a%00b', headers: a.auth }),
        await t.app.inject({
          method: 'PATCH',
          url: `/api/v1/orgs/${a.sellerTaxId}`,
          headers: a.auth,
          payload: { name: 'a\u0000b' },
        }),
      ];
      for (const res of answers) {
        expect(res.statusCode, res.body).toBe(400);
        expect(errorOf(res).code).toBe('VALIDATION_FAILED');
      }
      const org = await t.app.inject({ url: `/api/v1/orgs/${a.sellerTaxId}`, headers: a.auth });
      expect(org.json().name).not.toContain('\u0000');
    });

    it('hides the internals of unexpected errors behind INTERNAL', async () => {
      const res = await t.app.inject({ url: '/api/v1/__boom', headers: { 'x-request-id': 'trace-123' } });
      expect(res.statusCode).toBe(500);
      expect(errorOf(res)).toEqual({ code: 'INTERNAL', message: '服务器内部错误', requestId: 'trace-123' });
      expect(res.body).not.toContain('hunter2');
      expect(res.headers['x-request-id']).toBe('trace-123');
    });

    it('lists the tenant’s jobs and retries a dead one; another tenant sees neither', async () => {
      const b = await seedTenant(t, 'B');
      const now = t.clock.now();
      await t.runtime.deps.db.kysely
        .insertInto('jobs')
        .values({
          id: 'job_test_dead_1',
          tenant_id: a.tenantId,
          task: 'invoicing/issue-invoice',
          payload: JSON.stringify({ invoiceId: 'inv_missing' }),
          state: 'dead',
          job_key: null,
          run_at: now,
          max_attempts: 3,
          attempts: 3,
          last_error: 'boom',
          locked_by: null,
          locked_until: null,
          created_at: now,
          updated_at: now,
          finished_at: now,
        })
        .execute();
      const list = await t.app.inject({ url: '/api/v1/jobs?state=dead', headers: a.auth });
      expect(list.json().items).toEqual([
        expect.objectContaining({ id: 'job_test_dead_1', state: 'dead', lastError: 'boom' }),
      ]);
      expect((await t.app.inject({ url: '/api/v1/jobs?state=dead', headers: b.auth })).json().items).toEqual([]);
      const foreign = await t.app.inject({
        method: 'POST',
        url: '/api/v1/jobs/job_test_dead_1/retry',
        headers: b.auth,
      });
      expect(foreign.statusCode).toBe(404);
      const retried = await t.app.inject({
        method: 'POST',
        url: '/api/v1/jobs/job_test_dead_1/retry',
        headers: a.auth,
      });
      expect(retried.statusCode).toBe(200);
      expect(retried.json()).toMatchObject({ id: 'job_test_dead_1', state: 'queued', maxAttempts: 4 });
    });

    it('reports liveness and readiness', async () => {
      expect((await t.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
      const ready = await t.app.inject({ url: '/readyz' });
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'ok' } });
    });

    it('exposes Prometheus metrics with HTTP latency and job counts', async () => {
      await t.app.inject({ url: '/healthz' });
      const res = await t.app.inject({ url: '/metrics' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain('text/plain');
      expect(res.body).toContain(
        'openfapiao_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/healthz",status="200"}',
      );
      expect(res.body).toMatch(/openfapiao_jobs\{state="queued"\} \d+/);
      expect(res.body).toContain('openfapiao_job_run_duration_seconds');
    });

    it('serves an OpenAPI document in which every API route declares its responses', async () => {
      const res = await t.app.inject({ url: '/api/openapi.json' });
      expect(res.statusCode).toBe(200);
      const doc = res.json<{
        openapi: string;
        paths: Record<string, Record<string, { responses?: Record<string, unknown> }>>;
      }>();
      expect(doc.openapi).toMatch(/^3\./);
      for (const path of [
        '/api/v1/auth/token',
        '/api/v1/auth/me',
        '/api/v1/orgs',
        '/api/v1/orgs/{taxId}',
        '/api/v1/jobs',
      ]) {
        expect(doc.paths[path], path).toBeDefined();
      }
      for (const [path, ops] of Object.entries(doc.paths).filter(([p]) => p.startsWith('/api/v1/'))) {
        for (const [method, op] of Object.entries(ops)) {
          const codes = Object.keys(op.responses ?? {});
          // A WebSocket upgrade answers 101 Switching Protocols, never a 2xx.
          expect(
            codes.some((c) => c.startsWith('2') || (c === '101' && path === '/api/v1/assistant/socket')),
            `${method} ${path} declares a 2xx`,
          ).toBe(true);
          expect(codes, `${method} ${path} declares 500`).toContain('500');
        }
      }
      const docs = await t.app.inject({ url: '/api/docs/' });
      expect(docs.statusCode).toBe(200);
      expect(docs.body).toContain('swagger');
    });
  });
}
