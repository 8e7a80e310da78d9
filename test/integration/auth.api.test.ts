import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, errorOf, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: API auth`, () => {
    let t: TestApp;
    let a: SeededTenant;
    let b: SeededTenant;

    beforeAll(async () => {
      t = await buildTestApp(dialect, { AUTH_RATE_LIMIT_MAX: '1000' });
      a = await seedTenant(t, 'A');
      b = await seedTenant(t, 'B');
    });
    afterAll(async () => t?.close());

    it('issues a bearer token for a good appId + appSecret', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/token',
        payload: { appId: a.appId, appSecret: a.appSecret },
      });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toEqual({
        accessToken: expect.stringMatching(/^oft_[0-9A-Za-z]{43}$/),
        tokenType: 'Bearer',
        expiresIn: 7200,
      });
      const me = await t.app.inject({
        url: '/api/v1/auth/me',
        headers: { authorization: `Bearer ${body.accessToken}` },
      });
      expect(me.statusCode).toBe(200);
      expect(me.json()).toMatchObject({ tenantId: a.tenantId, tenantName: 'A', appId: a.appId });
    });

    it('stores neither the secret nor the token in clear', async () => {
      const db = t.runtime.deps.db.kysely;
      const apps = await db.selectFrom('api_apps').selectAll().execute();
      const tokens = await db.selectFrom('access_tokens').selectAll().execute();
      const dump = JSON.stringify([apps, tokens]);
      expect(dump).not.toContain(a.appSecret);
      expect(dump).not.toContain(a.token);
      expect(apps.find((x) => x.app_id === a.appId)?.secret_hash).toMatch(/^[0-9a-f]{64}$/);
    });

    it('refuses a wrong secret and an unknown appId with AUTH_INVALID_CREDENTIALS', async () => {
      for (const payload of [
        { appId: a.appId, appSecret: `${a.appSecret}x` },
        { appId: 'ofa_unknown', appSecret: a.appSecret },
        { appId: a.appId, appSecret: b.appSecret },
      ]) {
        const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload });
        expect(res.statusCode).toBe(401);
        expect(errorOf(res).code).toBe('AUTH_INVALID_CREDENTIALS');
      }
    });

    it('answers 401 AUTH_TOKEN_INVALID for a missing, malformed or unknown token', async () => {
      for (const headers of [{}, { authorization: 'Basic abc' }, { authorization: 'Bearer oft_nope_nope_nope' }]) {
        const res = await t.app.inject({ url: '/api/v1/auth/me', headers });
        expect(res.statusCode).toBe(401);
        expect(errorOf(res).code).toBe('AUTH_TOKEN_INVALID');
      }
    });

    it('expires tokens after their lifetime', async () => {
      const fresh = await seedTenant(t, 'expiring');
      expect((await t.app.inject({ url: '/api/v1/auth/me', headers: fresh.auth })).statusCode).toBe(200);
      t.clock.advance(7200 * 1000 + 1);
      const res = await t.app.inject({ url: '/api/v1/auth/me', headers: fresh.auth });
      t.clock.advance(-(7200 * 1000 + 1));
      expect(res.statusCode).toBe(401);
      expect(errorOf(res).code).toBe('AUTH_TOKEN_INVALID');
    });

    it('revokes the calling token', async () => {
      const c = await seedTenant(t, 'revoking');
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/revoke', headers: c.auth });
      expect(res.statusCode).toBe(204);
      const after = await t.app.inject({ url: '/api/v1/auth/me', headers: c.auth });
      expect(after.statusCode).toBe(401);
      expect(errorOf(after).code).toBe('AUTH_TOKEN_INVALID');
    });

    it('cannot revoke another tenant’s token', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/revoke',
        headers: b.auth,
        payload: { token: a.token },
      });
      expect(res.statusCode).toBe(204);
      expect((await t.app.inject({ url: '/api/v1/auth/me', headers: a.auth })).statusCode).toBe(200);
    });

    it('rotates an app secret; the old one works during the overlap only', async () => {
      const c = await seedTenant(t, 'rotating');
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/v1/apps/${c.appId}/rotate-secret`,
        headers: c.auth,
        payload: { overlapSeconds: 60 },
      });
      expect(res.statusCode).toBe(200);
      const { appSecret } = res.json<{ appSecret: string }>();
      expect(appSecret).not.toBe(c.appSecret);
      const token = (s: string) =>
        t.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { appId: c.appId, appSecret: s } });
      expect((await token(appSecret)).statusCode).toBe(200);
      expect((await token(c.appSecret)).statusCode).toBe(200);
      t.clock.advance(61_000);
      expect((await token(c.appSecret)).statusCode).toBe(401);
      expect((await token(appSecret)).statusCode).toBe(200);
      t.clock.advance(-61_000);
    });

    it('hides another tenant’s app: rotating it is 404', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/v1/apps/${a.appId}/rotate-secret`,
        headers: b.auth,
        payload: {},
      });
      expect(res.statusCode).toBe(404);
      expect(errorOf(res).code).toBe('APP_NOT_FOUND');
      const list = await t.app.inject({ url: '/api/v1/apps', headers: b.auth });
      expect(list.json<{ items: { appId: string }[] }>().items.map((x) => x.appId)).toEqual([b.appId]);
    });

    it('creates an app whose secret is shown once', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/apps',
        headers: a.auth,
        payload: { name: 'ERP' },
      });
      expect(res.statusCode).toBe(201);
      const { app, appSecret } = res.json<{ app: { appId: string }; appSecret: string }>();
      const list = await t.app.inject({ url: '/api/v1/apps', headers: a.auth });
      expect(list.body).toContain(app.appId);
      expect(list.body).not.toContain(appSecret);
    });
  });

  describe.skipIf(dialect.skip)(`${dialect.name}: token rate limit`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await buildTestApp(dialect, { AUTH_RATE_LIMIT_MAX: '3' });
    });
    afterAll(async () => t?.close());

    it('answers 429 RATE_LIMITED with Retry-After after too many token requests', async () => {
      const codes: number[] = [];
      let last = null as Awaited<ReturnType<typeof t.app.inject>> | null;
      for (let i = 0; i < 5; i++) {
        last = await t.app.inject({
          method: 'POST',
          url: '/api/v1/auth/token',
          payload: { appId: 'x', appSecret: 'y' },
        });
        codes.push(last.statusCode);
      }
      expect(codes).toEqual([401, 401, 401, 429, 429]);
      expect(errorOf(last!).code).toBe('RATE_LIMITED');
      expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
    });
  });
}
