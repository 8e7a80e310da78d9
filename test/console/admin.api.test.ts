import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealAllChains } from '../../src/modules/audit/index.js';
import { type ConsoleSession, loginAs, seedUser } from '../auth/console-kit.js';
import { buildTestApp, errorOf, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';

const MINUTE = 60_000;

// Values that must never come back from GET /api/v1/system.
const SECRET_KEY = 'k'.repeat(43);
const SMTP_PASSWORD = 'smtp-pass-Zq7';
const METRICS_TOKEN = 'metrics-token-0123456789abcdef';
const SIGNING_KEY = 's'.repeat(40);
const SMS_AUTH = 'Bearer sms-gateway-secret-91';

interface AuditEntry {
  id: string;
  seq: number | null;
  actor: { kind: string; id: string; name: string };
  action: string;
  target: { type: string; id: string };
  diff: Record<string, { from: unknown; to: unknown }>;
}

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: console administration API`, () => {
    let t: TestApp;
    let a: SeededTenant;
    let b: SeededTenant;
    let admin: ConsoleSession;
    let adminUser: { id: string; username: string; password: string };

    const audit = async (query: string, session: ConsoleSession = admin) => {
      const res = await t.app.inject({ url: `/api/v1/audit-log?${query}`, headers: session.read });
      expect(res.statusCode, res.body).toBe(200);
      return res.json<{ items: AuditEntry[] }>().items;
    };

    beforeAll(async () => {
      t = await buildTestApp(dialect, {
        AUTH_RATE_LIMIT_MAX: '1000',
        SECRET_ENCRYPTION_KEY: SECRET_KEY,
        SMTP_URL: `smtp://mailer:${SMTP_PASSWORD}@127.0.0.1:2525/?tls=none`,
        METRICS_TOKEN,
        SIGNING_KEY,
        SMS_GATEWAY_URL: 'http://127.0.0.1:9/sms?key=sms-query-secret',
        SMS_GATEWAY_AUTH_HEADER: `Authorization: ${SMS_AUTH}`,
      });
      a = await seedTenant(t, 'A');
      b = await seedTenant(t, 'B');
      adminUser = await seedUser(t, a.tenantId, 'admin');
      admin = await loginAs(t, adminUser);
    });
    afterAll(async () => t?.close());

    it("lets an admin list a user's sessions and end one or all of them (audited); the user's cookie stops working", async () => {
      const clerk = await seedUser(t, a.tenantId, 'clerk', { orgTaxIds: [a.sellerTaxId] });
      const first = await loginAs(t, clerk, '127.0.0.2');
      const second = await loginAs(t, clerk, '127.0.0.3');
      const list = await t.app.inject({ url: `/api/v1/users/${clerk.id}/sessions`, headers: admin.read });
      expect(list.statusCode, list.body).toBe(200);
      const items = list.json<{ items: { id: string; clientAddress: string }[] }>().items;
      expect(items.map((s) => s.clientAddress).sort()).toEqual(['127.0.0.2', '127.0.0.3']);
      const firstId = items.find((s) => s.clientAddress === '127.0.0.2')?.id;

      // Without the CSRF header a cookie write is refused.
      const noCsrf = await t.app.inject({
        method: 'DELETE',
        url: `/api/v1/users/${clerk.id}/sessions/${firstId}`,
        headers: admin.read,
      });
      expect(noCsrf.statusCode).toBe(403);

      const one = await t.app.inject({
        method: 'DELETE',
        url: `/api/v1/users/${clerk.id}/sessions/${firstId}`,
        headers: admin.write,
      });
      expect(one.statusCode, one.body).toBe(204);
      expect((await t.app.inject({ url: '/api/v1/session', headers: first.read })).statusCode).toBe(401);
      expect((await t.app.inject({ url: '/api/v1/session', headers: second.read })).statusCode).toBe(200);
      const again = await t.app.inject({
        method: 'DELETE',
        url: `/api/v1/users/${clerk.id}/sessions/${firstId}`,
        headers: admin.write,
      });
      expect(errorOf(again).code).toBe('SESSION_NOT_FOUND');

      const all = await t.app.inject({
        method: 'DELETE',
        url: `/api/v1/users/${clerk.id}/sessions`,
        headers: admin.write,
      });
      expect(all.json()).toEqual({ ended: 1 });
      expect((await t.app.inject({ url: '/api/v1/session', headers: second.read })).statusCode).toBe(401);
      const after = await t.app.inject({ url: `/api/v1/users/${clerk.id}/sessions`, headers: admin.read });
      expect(after.json()).toEqual({ items: [] });

      const entries = await audit(`action=users.revoke_sessions&target=${clerk.id}`);
      expect(entries.map((e) => e.diff)).toEqual([
        { sessions: { from: null, to: 'all' }, ended: { from: null, to: 1 } },
        { sessions: { from: null, to: firstId }, ended: { from: null, to: 1 } },
      ]);
      expect(entries[0]?.actor).toMatchObject({ kind: 'user', id: adminUser.id });
    });

    it("keeps another tenant's users out of reach, and the session routes to users.manage", async () => {
      const other = await seedUser(t, b.tenantId, 'finance');
      await loginAs(t, other);
      const list = await t.app.inject({ url: `/api/v1/users/${other.id}/sessions`, headers: admin.read });
      expect(errorOf(list).code).toBe('USER_NOT_FOUND');
      const end = await t.app.inject({
        method: 'DELETE',
        url: `/api/v1/users/${other.id}/sessions`,
        headers: admin.write,
      });
      expect(end.statusCode).toBe(404);
      const finance = await loginAs(t, await seedUser(t, a.tenantId, 'finance'));
      const denied = await t.app.inject({ url: `/api/v1/users/${adminUser.id}/sessions`, headers: finance.read });
      expect(denied.statusCode).toBe(403);
      expect(errorOf(denied)).toMatchObject({ code: 'FORBIDDEN', details: { permission: 'users.manage' } });
    });

    it('verifies the hash chain for auditors and admins, and reports the first edited entry', async () => {
      const db = t.runtime.deps.db.kysely;
      const auditor = await loginAs(t, await seedUser(t, a.tenantId, 'auditor'));
      await sealAllChains({ db });
      const verify = async (session: ConsoleSession) => {
        const res = await t.app.inject({ url: '/api/v1/audit-log/verify', headers: session.read });
        expect(res.statusCode, res.body).toBe(200);
        return res.json<{ ok: boolean; complete: boolean; checked: number; unsealed: number; broken: unknown }>();
      };
      const ok = await verify(auditor);
      expect(ok).toMatchObject({ ok: true, complete: true, broken: null });
      expect(ok.checked).toBeGreaterThan(3);

      const finance = await loginAs(t, await seedUser(t, a.tenantId, 'finance'));
      const denied = await t.app.inject({ url: '/api/v1/audit-log/verify', headers: finance.read });
      expect(errorOf(denied)).toMatchObject({ code: 'FORBIDDEN', details: { permission: 'audit.read' } });

      await sealAllChains({ db });
      const victim = (await audit('action=session.login')).find((e) => e.seq !== null);
      expect(victim).toBeDefined();
      await sql`update audit_log set client_address = '203.0.113.9' where id = ${victim?.id}`.execute(db);
      const tampered = await verify(admin);
      expect(tampered).toMatchObject({
        ok: false,
        broken: { id: victim?.id, seq: victim?.seq, reason: 'hash_mismatch' },
      });
      // Tenant B's chain is its own: B's admin sees it intact.
      const bAdmin = await loginAs(t, await seedUser(t, b.tenantId, 'admin'));
      await sealAllChains({ db });
      expect((await verify(bAdmin)).ok).toBe(true);
      await sql`update audit_log set client_address = '127.0.0.1' where id = ${victim?.id}`.execute(db);
      expect((await verify(admin)).ok).toBe(true);
    });

    it('summarises the system without any secret, and counts the tenant’s jobs by task and state', async () => {
      const db = t.runtime.deps.db.kysely;
      await t.runtime.deps.jobs.enqueue(db, 'audit/seal-chains', { window: 1 }, { tenantId: a.tenantId });
      await t.runtime.deps.jobs.enqueue(db, 'audit/seal-chains', { window: 2 }, { tenantId: b.tenantId });
      const res = await t.app.inject({ url: '/api/v1/system', headers: admin.read });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json<{
        version: string;
        node: string;
        role: string;
        health: { status: string; database: string; migrations: string };
        config: Record<string, unknown> & {
          database: { dialect: string };
          mail: { transport: string; server: string };
        };
        counts: { users: number; orgs: number };
        jobs: { byState: Record<string, number>; byTask: { task: string; state: string; count: number }[] };
      }>();
      expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(body.node).toBe(process.version);
      expect(body.role).toBe('all');
      expect(body.health).toEqual({ status: 'ok', database: 'ok', migrations: 'ok' });
      expect(body.config.database.dialect).toBe(dialect.name === 'postgres' ? 'postgres' : 'sqlite');
      expect(body.config.mail).toEqual({ transport: 'smtp', server: 'smtp://127.0.0.1:2525' });
      expect(body.config).toMatchObject({
        secretEncryption: true,
        downloadLinkSigningKey: true,
        metricsProtected: true,
        channel: 'sandbox',
        sms: { transport: 'http', server: 'http://127.0.0.1:9/sms' },
      });
      expect(body.counts.orgs).toBe(1);
      expect(body.counts.users).toBeGreaterThanOrEqual(1);
      expect(body.jobs.byTask).toContainEqual({ task: 'audit/seal-chains', state: 'queued', count: 1 });
      expect(body.jobs.byState.queued).toBeGreaterThanOrEqual(1);

      for (const secret of [
        SECRET_KEY,
        SMTP_PASSWORD,
        'mailer',
        METRICS_TOKEN,
        SIGNING_KEY,
        'sms-gateway-secret',
        'sms-query-secret',
      ]) {
        expect(res.body).not.toContain(secret);
      }
      if (t.config.db.driver === 'postgres') {
        const password = new URL(t.config.db.url).password;
        if (password) expect(res.body).not.toContain(password);
        expect(res.body).not.toContain(t.config.db.url);
      }

      const clerk = await loginAs(t, await seedUser(t, a.tenantId, 'clerk', { orgTaxIds: [a.sellerTaxId] }));
      const denied = await t.app.inject({ url: '/api/v1/system', headers: clerk.read });
      expect(errorOf(denied)).toMatchObject({ code: 'FORBIDDEN', details: { permission: 'system.read' } });
    });

    it('prunes login counters whose window and lockout are over, on a later failed login', async () => {
      const db = t.runtime.deps.db.kysely;
      const keys = async () =>
        (await db.selectFrom('login_attempts').select('attempt_key').execute()).map((r) => r.attempt_key).sort();
      const fail = (username: string, remoteAddress: string) =>
        t.app.inject({
          method: 'POST',
          url: '/api/v1/session',
          payload: { username, password: 'wrong-password' },
          remoteAddress,
        });
      await db.deleteFrom('login_attempts').execute();
      // Locked: five failures of one username.
      for (let i = 0; i < 5; i++) expect((await fail('ghost-locked', `10.7.0.${i + 1}`)).statusCode).not.toBe(200);
      expect(await keys()).toContain('user:ghost-locked');

      // 16 minutes later: the plain counters are stale, the locked username (15-minute lockout from its fifth
      // failure) too — a failure now deletes them and keeps only its own keys.
      t.clock.advance(16 * MINUTE);
      await fail('ghost-new', '10.7.1.1');
      expect(await keys()).toEqual(['addr:10.7.1.1', 'user:ghost-new']);

      // A counter inside its window survives the next pruning.
      t.clock.advance(5 * MINUTE);
      await fail('ghost-later', '10.7.1.2');
      expect(await keys()).toEqual(['addr:10.7.1.1', 'addr:10.7.1.2', 'user:ghost-later', 'user:ghost-new']);
    });

    it('documents the cookie session and the CSRF header next to the bearer token in OpenAPI', async () => {
      const doc = (await t.app.inject({ url: '/api/openapi.json' })).json<{
        components: { securitySchemes: Record<string, { type: string; in?: string; name?: string }> };
        paths: Record<string, Record<string, { security?: Record<string, string[]>[] }>>;
      }>();
      expect(doc.components.securitySchemes).toMatchObject({
        bearerAuth: { type: 'http' },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: 'ofp_session' },
        csrfToken: { type: 'apiKey', in: 'header', name: 'X-CSRF-Token' },
      });
      expect(doc.paths['/api/v1/invoices']?.get?.security).toEqual([{ bearerAuth: [] }, { sessionCookie: [] }]);
      expect(doc.paths['/api/v1/invoices']?.post?.security).toEqual([
        { bearerAuth: [] },
        { sessionCookie: [], csrfToken: [] },
      ]);
      expect(doc.paths['/api/v1/session/password']?.post?.security).toEqual([{ sessionCookie: [], csrfToken: [] }]);
      expect(doc.paths['/api/v1/auth/token']?.post?.security).toBeUndefined();
    });
  });
}
