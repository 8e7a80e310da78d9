import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealAllChains, sealTenantChain, verifyAuditChains } from '../../src/modules/audit/index.js';
import { type ConsoleSession, loginAs, seedUser } from '../auth/console-kit.js';
import { buildTestApp, errorOf, makeUscc, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';

interface Entry {
  id: string;
  seq: number | null;
  at: string;
  actor: { kind: string; id: string; name: string };
  action: string;
  target: { type: string; id: string };
  diff: Record<string, { from: unknown; to: unknown }>;
  requestId: string | null;
  clientAddress: string | null;
}

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: audit log`, () => {
    let t: TestApp;
    let a: SeededTenant;
    let b: SeededTenant;
    let admin: ConsoleSession;
    let adminUser: { id: string; username: string; password: string };

    const search = async (query: string, headers: Record<string, string> = admin.read) => {
      const res = await t.app.inject({ url: `/api/v1/audit-log?${query}`, headers });
      expect(res.statusCode, res.body).toBe(200);
      return res.json<{ items: Entry[]; nextCursor: string | null }>();
    };
    const last = async (action: string) => (await search(`action=${action}&limit=1`)).items[0];

    beforeAll(async () => {
      t = await buildTestApp(dialect, { AUTH_RATE_LIMIT_MAX: '1000' });
      a = await seedTenant(t, 'A');
      b = await seedTenant(t, 'B');
      adminUser = await seedUser(t, a.tenantId, 'admin');
      admin = await loginAs(t, adminUser);
    });
    afterAll(async () => t?.close());

    it('records logins and failed logins as security events', async () => {
      const login = await last('session.login');
      expect(login).toMatchObject({
        actor: { kind: 'user', id: adminUser.id, name: adminUser.username },
        target: { type: 'session' },
        clientAddress: '127.0.0.1',
        requestId: expect.any(String),
      });
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/session',
        payload: { username: adminUser.username, password: 'wrong-password' },
        remoteAddress: '10.9.0.1',
      });
      expect(await last('session.login_failed')).toMatchObject({
        actor: { id: adminUser.id },
        diff: { reason: { from: null, to: 'wrong_password' } },
        clientAddress: '10.9.0.1',
      });
    });

    it('records an org created and changed by a console user, with the before/after diff', async () => {
      const taxId = makeUscc('91310115MA1AUD1T0');
      const created = await t.app.inject({
        method: 'POST',
        url: '/api/v1/orgs',
        headers: { ...admin.write, 'x-request-id': 'req-audit-org-1' },
        payload: { taxId, name: '审计测试有限公司' },
      });
      expect(created.statusCode, created.body).toBe(201);
      const entry = await last('orgs.create');
      expect(entry).toMatchObject({
        action: 'orgs.create',
        target: { type: 'org', id: taxId },
        actor: { kind: 'user', name: adminUser.username },
        requestId: 'req-audit-org-1',
      });
      expect(entry?.diff.name).toEqual({ from: null, to: '审计测试有限公司' });
      await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/orgs/${taxId}`,
        headers: admin.write,
        payload: { name: '新名称' },
      });
      expect((await last('orgs.update'))?.diff).toEqual({ name: { from: '审计测试有限公司', to: '新名称' } });
      // A failed change records nothing: the entry is in the change's transaction.
      const before = (await search('action=orgs')).items.length;
      const dup = await t.app.inject({
        method: 'POST',
        url: '/api/v1/orgs',
        headers: admin.write,
        payload: { taxId, name: 'x' },
      });
      expect(dup.statusCode).toBe(409);
      expect((await search('action=orgs')).items.length).toBe(before);
    });

    it('records API app changes by an app, secrets redacted', async () => {
      const created = await t.app.inject({
        method: 'POST',
        url: '/api/v1/apps',
        headers: a.auth,
        payload: { name: 'erp' },
      });
      const { app, appSecret } = created.json<{ app: { appId: string }; appSecret: string }>();
      const rotated = await t.app.inject({
        method: 'POST',
        url: `/api/v1/apps/${app.appId}/rotate-secret`,
        headers: a.auth,
        payload: {},
      });
      const newSecret = rotated.json<{ appSecret: string }>().appSecret;
      const createEntry = await last('apps.create');
      expect(createEntry).toMatchObject({
        actor: { kind: 'app', id: a.appId },
        target: { type: 'app', id: app.appId },
      });
      expect(createEntry?.diff.secret_hash?.to).toBe('[REDACTED]');
      expect((await last('apps.rotate_secret'))?.diff).toEqual({
        secret_hash: { from: '[REDACTED]', to: '[REDACTED]' },
      });
      const rows = await t.runtime.deps.db.kysely.selectFrom('audit_log').select('diff_json').execute();
      const dump = JSON.stringify(rows);
      expect(dump).not.toContain(appSecret);
      expect(dump).not.toContain(newSecret);
    });

    it('records users, scan settings, delivery settings and token revocations', async () => {
      const user = await t.app.inject({
        method: 'POST',
        url: '/api/v1/users',
        headers: admin.write,
        payload: { username: 'audited-clerk', role: 'clerk', orgTaxIds: [a.sellerTaxId], password: 'clerk-password' },
      });
      expect(user.statusCode, user.body).toBe(201);
      const userId = user.json<{ id: string }>().id;
      await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/users/${userId}`,
        headers: admin.write,
        payload: { disabled: true },
      });
      await t.app.inject({
        method: 'POST',
        url: `/api/v1/users/${userId}/password`,
        headers: admin.write,
        payload: { newPassword: 'another-password' },
      });
      expect((await last('users.create'))?.diff).toMatchObject({
        role: { to: 'clerk' },
        username: { to: 'audited-clerk' },
      });
      expect((await last('users.update'))?.diff).toEqual({ disabled: { from: false, to: true } });
      expect((await last('users.reset_password'))?.diff).toEqual({
        password: { from: '[REDACTED]', to: '[REDACTED]' },
      });
      expect(JSON.stringify(await search(`target=${userId}`))).not.toContain('another-password');

      const setting = await t.app.inject({
        method: 'POST',
        url: '/api/v1/scan/settings',
        headers: admin.write,
        payload: { sellerTaxId: a.sellerTaxId, scanType: 'issue', allowedKinds: ['82'], validityDays: 30 },
      });
      expect(setting.statusCode, setting.body).toBe(201);
      const { key, secret } = setting.json<{ key: string; secret: string }>();
      expect((await last('scan.settings.create'))?.target).toEqual({ type: 'scan_setting', id: key });
      await t.app.inject({ method: 'POST', url: `/api/v1/scan/settings/${key}/rotate-secret`, headers: admin.write });
      expect((await last('scan.settings.rotate_secret'))?.target.id).toBe(key);
      expect(JSON.stringify(await search(`target=${key}`))).not.toContain(secret);

      const put = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/delivery/settings',
        headers: admin.write,
        payload: { emailEnabled: false },
      });
      if (put.statusCode === 200)
        expect((await last('delivery.settings.update'))?.target.type).toBe('delivery_settings');

      await t.app.inject({ method: 'POST', url: '/api/v1/auth/revoke', headers: a.auth, payload: { token: 'oft_x' } });
      expect((await last('tokens.revoke'))?.target.id).toMatch(/^sha256:[0-9a-f]{16}$/);
    });

    it('searches by actor, action, target and time with cursor pages; another tenant sees none of it', async () => {
      const byActor = await search(`actor=${adminUser.username}&limit=2`);
      expect(byActor.items).toHaveLength(2);
      expect(byActor.nextCursor).not.toBeNull();
      const next = await search(`actor=${adminUser.username}&limit=2&cursor=${byActor.nextCursor}`);
      expect((next.items[0]?.id ?? '') < (byActor.items[1]?.id ?? '')).toBe(true);
      expect((await search('action=users')).items.every((e) => e.action.startsWith('users.'))).toBe(true);
      expect((await search(`from=2030-01-01T00:00:00%2B08:00`)).items).toEqual([]);
      expect((await search(`to=2020-01-01T00:00:00%2B08:00`)).items).toEqual([]);
      const bAdmin = await loginAs(t, await seedUser(t, b.tenantId, 'admin'));
      const theirs = await search('action=orgs', bAdmin.read);
      expect(theirs.items).toEqual([]);
      const auditor = await loginAs(t, await seedUser(t, a.tenantId, 'auditor'));
      expect((await search('action=orgs', auditor.read)).items.length).toBeGreaterThan(0);
      const finance = await loginAs(t, await seedUser(t, a.tenantId, 'finance'));
      const denied = await t.app.inject({ url: '/api/v1/audit-log', headers: finance.read });
      expect(errorOf(denied)).toMatchObject({ code: 'FORBIDDEN', details: { permission: 'audit.read' } });
    });

    it('exports CSV with the same filters', async () => {
      const res = await t.app.inject({ url: '/api/v1/audit-log/export.csv?action=orgs', headers: admin.read });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      const lines = res.body.trim().split('\r\n');
      expect(lines[0]).toContain('操作');
      expect(lines.slice(1).every((l) => l.includes('"orgs.'))).toBe(true);
      expect(lines.length).toBe((await search('action=orgs')).items.length + 1);
    });

    it("schedules one sealer run per window, in the change's transaction", async () => {
      const db = t.runtime.deps.db.kysely;
      const sealerJobs = () =>
        db.selectFrom('jobs').select(['job_key', 'run_at']).where('task', '=', 'audit/seal-chains').execute();
      t.clock.advance(60_000); // a fresh window
      const before = (await sealerJobs()).length;
      for (const name of ['w1', 'w2']) {
        await t.app.inject({ method: 'POST', url: '/api/v1/apps', headers: a.auth, payload: { name } });
      }
      const jobs = await sealerJobs();
      expect(jobs.length).toBe(before + 1);
      const window = Math.floor(t.clock.now() / 5000);
      expect(jobs.find((j) => j.job_key === `audit/seal-chains:${window}`)?.run_at).toBe((window + 1) * 5000);
    });

    it('offers no way to change or delete an entry', async () => {
      const entry = (await search('limit=1')).items[0];
      for (const method of ['DELETE', 'PATCH', 'PUT'] as const) {
        const res = await t.app.inject({
          method,
          url: `/api/v1/audit-log/${entry?.id}`,
          headers: admin.write,
          payload: {},
        });
        expect(res.statusCode).toBe(404);
      }
    });

    it('chains entries per tenant (sealer), and verify finds an edited, a deleted entry', async () => {
      const db = t.runtime.deps.db.kysely;
      expect((await search('limit=1')).items[0]?.seq).toBeNull();
      const sealed = await sealAllChains({ db });
      expect(sealed).toBeGreaterThan(5);
      expect(await sealAllChains({ db })).toBe(0);
      const ok = await verifyAuditChains({ db });
      expect(ok).toMatchObject({ ok: true, unsealed: 0, broken: [] });
      expect(ok.checked).toBe(sealed);
      const page = await search('limit=200');
      const seqs = page.items.map((e) => e.seq).sort((x, y) => (x ?? 0) - (y ?? 0));
      expect(seqs[0]).toBe(1);

      // New entries after sealing continue the chain.
      await t.app.inject({ method: 'POST', url: '/api/v1/apps', headers: a.auth, payload: { name: 'later' } });
      expect(await sealAllChains({ db })).toBe(1);
      expect((await verifyAuditChains({ db })).ok).toBe(true);

      // Someone edits an entry with SQL.
      const victim = page.items.find((e) => e.action === 'orgs.update');
      await sql`update audit_log set actor_name = 'someone-else' where id = ${victim?.id}`.execute(db);
      const tampered = await verifyAuditChains({ db });
      expect(tampered.ok).toBe(false);
      expect(tampered.broken).toEqual([
        { tenantId: a.tenantId, id: victim?.id, seq: victim?.seq, reason: 'hash_mismatch' },
      ]);
      await sql`update audit_log set actor_name = ${victim?.actor.name} where id = ${victim?.id}`.execute(db);
      expect((await verifyAuditChains({ db })).ok).toBe(true);

      // …or deletes one.
      const gone = page.items.find((e) => e.action === 'orgs.create');
      await sql`delete from audit_log where id = ${gone?.id}`.execute(db);
      const deleted = await verifyAuditChains({ db }, { tenantId: a.tenantId });
      expect(deleted.ok).toBe(false);
      expect(deleted.broken[0]).toMatchObject({ tenantId: a.tenantId, seq: (gone?.seq ?? 0) + 1, reason: 'seq_gap' });
    });

    it('two sealers at once chain every entry exactly once, in one valid chain', async () => {
      const db = t.runtime.deps.db.kysely;
      await sealAllChains({ db });
      for (let i = 0; i < 12; i++) {
        await t.app.inject({ method: 'POST', url: '/api/v1/apps', headers: b.auth, payload: { name: `race-${i}` } });
      }
      // The loser of a race chains nothing (all or none), so together they chain each new entry once.
      const [x, y] = await Promise.all([sealTenantChain({ db }, b.tenantId), sealTenantChain({ db }, b.tenantId)]);
      expect(x + y).toBeGreaterThanOrEqual(12);
      expect(await sealAllChains({ db })).toBe(0);
      expect(await verifyAuditChains({ db }, { tenantId: b.tenantId })).toMatchObject({ ok: true, unsealed: 0 });
    });
  });
}
