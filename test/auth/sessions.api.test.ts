import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionCookie } from '../../src/modules/auth/console-sessions.js';
import { buildTestApp, errorOf, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { loginAs, seedUser, sessionCookieOf } from './console-kit.js';

const MINUTE = 60_000;

describe('session cookie', () => {
  it('is HttpOnly and SameSite=Strict, and Secure only under an https PUBLIC_URL', () => {
    expect(sessionCookie('ofs_abc', 'http://localhost:8080')).toBe(
      'ofp_session=ofs_abc; Path=/; HttpOnly; SameSite=Strict',
    );
    expect(sessionCookie('ofs_abc', 'https://fapiao.example.com')).toBe(
      'ofp_session=ofs_abc; Path=/; HttpOnly; SameSite=Strict; Secure',
    );
    expect(sessionCookie(null, 'https://x.example')).toContain('Max-Age=0');
  });
});

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: console sessions`, () => {
    let t: TestApp;
    let a: SeededTenant;

    beforeAll(async () => {
      t = await buildTestApp(dialect, {
        LOGIN_MAX_FAILURES_PER_USER: '3',
        LOGIN_MAX_FAILURES_PER_ADDRESS: '6',
        LOGIN_FAILURE_WINDOW_MINUTES: '15',
        LOGIN_LOCKOUT_MINUTES: '10',
        SESSION_IDLE_TIMEOUT_MINUTES: '30',
        SESSION_ABSOLUTE_TIMEOUT_HOURS: '2',
      });
      a = await seedTenant(t, 'A');
    });
    afterAll(async () => t?.close());

    it('logs in: an HttpOnly SameSite=Strict cookie, the user, permissions, CSRF token and expiries', async () => {
      const user = await seedUser(t, a.tenantId, 'finance');
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/session',
        payload: { username: user.username, password: user.password },
        headers: { 'user-agent': 'vitest-browser/1.0' },
      });
      expect(res.statusCode).toBe(200);
      expect(res.headers['set-cookie']).toMatch(/^ofp_session=ofs_[0-9A-Za-z]+; Path=\/; HttpOnly; SameSite=Strict$/);
      const body = res.json();
      expect(body).toMatchObject({
        user: { id: user.id, username: user.username, role: 'finance', tenantId: a.tenantId, tenantName: 'A' },
        csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        idleExpiresAt: '2025-06-01T10:30:00.000+08:00',
        absoluteExpiresAt: '2025-06-01T12:00:00.000+08:00',
      });
      expect(body.user.orgTaxIds).toBeNull();
      expect(body.permissions).toContain('invoices.red');
      expect(body.permissions).not.toContain('users.manage');

      const cookie = sessionCookieOf(res);
      const again = await t.app.inject({ url: '/api/v1/session', headers: { cookie } });
      expect(again.statusCode).toBe(200);
      expect(again.json().csrfToken).toBe(body.csrfToken);

      // Only the token's SHA-256 is stored.
      const token = cookie.slice('ofp_session='.length);
      const rows = await t.runtime.deps.db.kysely.selectFrom('console_sessions').selectAll().execute();
      expect(JSON.stringify(rows)).not.toContain(token);
      expect(rows.find((r) => r.user_id === user.id)).toMatchObject({ user_agent: 'vitest-browser/1.0' });
    });

    it('answers the same 401 LOGIN_FAILED for an unknown user, a wrong password and a disabled user', async () => {
      const user = await seedUser(t, a.tenantId, 'clerk');
      const disabled = await seedUser(t, a.tenantId, 'clerk');
      await t.runtime.deps.db.kysely.updateTable('users').set({ disabled: 1 }).where('id', '=', disabled.id).execute();
      for (const [payload, address] of [
        [{ username: 'nobody-here', password: 'whatever1' }, '10.0.0.1'],
        [{ username: user.username, password: 'wrong-password' }, '10.0.0.2'],
        [{ username: disabled.username, password: disabled.password }, '10.0.0.3'],
      ] as const) {
        const res = await t.app.inject({ method: 'POST', url: '/api/v1/session', payload, remoteAddress: address });
        expect(res.statusCode).toBe(401);
        expect(errorOf(res)).toMatchObject({ code: 'LOGIN_FAILED', message: '用户名或密码不正确' });
        expect(res.headers['set-cookie']).toBeUndefined();
      }
    });

    it('needs X-CSRF-Token on every state-changing cookie call, not on reads nor on bearer calls', async () => {
      const admin = await seedUser(t, a.tenantId, 'admin');
      const s = await loginAs(t, admin);
      const payload = { name: 'csrf app' };
      expect((await t.app.inject({ url: '/api/v1/apps', headers: s.read })).statusCode).toBe(200);
      for (const headers of [s.read, { ...s.read, 'x-csrf-token': 'nope' }, { ...s.read, 'x-csrf-token': '' }]) {
        const res = await t.app.inject({ method: 'POST', url: '/api/v1/apps', headers, payload });
        expect(res.statusCode).toBe(403);
        expect(errorOf(res).code).toBe('CSRF_TOKEN_INVALID');
      }
      // Another session's token does not fit this one.
      const other = await loginAs(t, admin);
      const crossed = await t.app.inject({
        method: 'POST',
        url: '/api/v1/apps',
        headers: { ...s.read, 'x-csrf-token': other.csrfToken },
        payload,
      });
      expect(errorOf(crossed).code).toBe('CSRF_TOKEN_INVALID');
      const ok = await t.app.inject({ method: 'POST', url: '/api/v1/apps', headers: s.write, payload });
      expect(ok.statusCode).toBe(201);
      const bearer = await t.app.inject({ method: 'POST', url: '/api/v1/apps', headers: a.auth, payload });
      expect(bearer.statusCode).toBe(201);
    });

    it('answers 401 AUTH_TOKEN_INVALID without a session, with an unknown one, and after logout (cookie cleared)', async () => {
      for (const headers of [
        {},
        { cookie: 'ofp_session=ofs_unknownunknownunknownunknown' },
        { cookie: 'ofp_session=x' },
      ]) {
        const res = await t.app.inject({ url: '/api/v1/session', headers });
        expect(res.statusCode).toBe(401);
        expect(errorOf(res).code).toBe('AUTH_TOKEN_INVALID');
      }
      const s = await loginAs(t, await seedUser(t, a.tenantId, 'auditor'));
      expect((await t.app.inject({ method: 'DELETE', url: '/api/v1/session', headers: s.read })).statusCode).toBe(403);
      const out = await t.app.inject({ method: 'DELETE', url: '/api/v1/session', headers: s.write });
      expect(out.statusCode).toBe(204);
      expect(out.headers['set-cookie']).toMatch(/^ofp_session=; .*Max-Age=0/);
      expect((await t.app.inject({ url: '/api/v1/session', headers: s.read })).statusCode).toBe(401);
    });

    it('ends a session after the idle timeout; requests slide it, writing last_seen_at at most once a minute', async () => {
      const user = await seedUser(t, a.tenantId, 'clerk');
      const s = await loginAs(t, user);
      const db = t.runtime.deps.db.kysely;
      const lastSeen = async () =>
        Number(
          (
            await db
              .selectFrom('console_sessions')
              .select('last_seen_at')
              .where('user_id', '=', user.id)
              .executeTakeFirstOrThrow()
          ).last_seen_at,
        );
      const loginAt = await lastSeen();
      t.clock.advance(30 * 1000);
      expect((await t.app.inject({ url: '/api/v1/session', headers: s.read })).statusCode).toBe(200);
      expect(await lastSeen()).toBe(loginAt); // under a minute: no write
      t.clock.advance(20 * MINUTE);
      const slid = await t.app.inject({ url: '/api/v1/session', headers: s.read });
      expect(slid.statusCode).toBe(200);
      expect(await lastSeen()).toBe(t.clock.now());
      expect(slid.json().idleExpiresAt).not.toBe(s.info.idleExpiresAt);
      t.clock.advance(29 * MINUTE); // 49.5 min after login, 29 after the last request
      expect((await t.app.inject({ url: '/api/v1/session', headers: s.read })).statusCode).toBe(200);
      t.clock.advance(30 * MINUTE + 1);
      const idle = await t.app.inject({ url: '/api/v1/session', headers: s.read });
      expect(idle.statusCode).toBe(401);
      expect(errorOf(idle).code).toBe('AUTH_TOKEN_INVALID');
    });

    it('ends a session at its absolute timeout however active it is', async () => {
      const s = await loginAs(t, await seedUser(t, a.tenantId, 'clerk'));
      for (let i = 0; i < 5; i++) {
        t.clock.advance(20 * MINUTE);
        expect((await t.app.inject({ url: '/api/v1/session', headers: s.read })).statusCode).toBe(200);
      }
      t.clock.advance(20 * MINUTE); // 120 min after login
      expect((await t.app.inject({ url: '/api/v1/session', headers: s.read })).statusCode).toBe(401);
    });

    it('locks a username after repeated failures (429 LOGIN_LOCKED, Retry-After), even for the right password', async () => {
      const user = await seedUser(t, a.tenantId, 'finance');
      const attempt = (password: string, remoteAddress: string) =>
        t.app.inject({
          method: 'POST',
          url: '/api/v1/session',
          payload: { username: user.username, password },
          remoteAddress,
        });
      expect((await attempt('wrong-1', '10.1.0.1')).statusCode).toBe(401);
      expect((await attempt('wrong-2', '10.1.0.2')).statusCode).toBe(401);
      const third = await attempt('wrong-3', '10.1.0.3');
      expect(third.statusCode).toBe(429);
      expect(errorOf(third).code).toBe('LOGIN_LOCKED');
      expect(errorOf(third).message).toMatch(/请于 \d\d:\d\d/);
      expect(third.headers['retry-after']).toBe('600');
      const right = await attempt(user.password, '10.1.0.4');
      expect(right.statusCode).toBe(429);
      t.clock.advance(5 * MINUTE);
      expect((await attempt(user.password, '10.1.0.4')).headers['retry-after']).toBe('300');
      t.clock.advance(5 * MINUTE);
      expect((await attempt(user.password, '10.1.0.4')).statusCode).toBe(200);
      // A success clears the username's count: two more failures do not lock it.
      expect((await attempt('wrong-4', '10.1.0.5')).statusCode).toBe(401);
      expect((await attempt('wrong-5', '10.1.0.5')).statusCode).toBe(401);
      expect((await attempt(user.password, '10.1.0.5')).statusCode).toBe(200);
    });

    it('locks a client address that fails across many usernames', async () => {
      const victim = await seedUser(t, a.tenantId, 'finance');
      for (let i = 0; i < 5; i++) {
        const res = await t.app.inject({
          method: 'POST',
          url: '/api/v1/session',
          payload: { username: `guess-${i}`, password: 'password1' },
          remoteAddress: '10.2.0.9',
        });
        expect(res.statusCode).toBe(401);
      }
      const sixth = await t.app.inject({
        method: 'POST',
        url: '/api/v1/session',
        payload: { username: 'guess-6', password: 'password1' },
        remoteAddress: '10.2.0.9',
      });
      expect(sixth.statusCode).toBe(429);
      const fromThere = await t.app.inject({
        method: 'POST',
        url: '/api/v1/session',
        payload: { username: victim.username, password: victim.password },
        remoteAddress: '10.2.0.9',
      });
      expect(fromThere.statusCode).toBe(429);
      // The user can still log in from elsewhere.
      await loginAs(t, victim, '10.2.0.10');
    });

    it('lists and revokes own sessions', async () => {
      const user = await seedUser(t, a.tenantId, 'finance');
      const s1 = await loginAs(t, user);
      const s2 = await loginAs(t, user);
      const stranger = await loginAs(t, await seedUser(t, a.tenantId, 'finance'));
      const list = await t.app.inject({ url: '/api/v1/session/sessions', headers: s1.read });
      expect(list.statusCode).toBe(200);
      const items = list.json<{ id: string; current: boolean; clientAddress: string }[]>();
      expect(items).toHaveLength(2);
      expect(items.filter((i) => i.current)).toHaveLength(1);
      expect(items[0]?.clientAddress).toBe('127.0.0.1');
      const other = items.find((i) => !i.current);
      // Not another user's session: 404.
      const theirs = await t.app.inject({ url: '/api/v1/session/sessions', headers: stranger.read });
      const theirId = theirs.json<{ id: string }[]>()[0]?.id;
      const foreign = await t.app.inject({
        method: 'DELETE',
        url: `/api/v1/session/sessions/${theirId}`,
        headers: s1.write,
      });
      expect(foreign.statusCode).toBe(404);
      expect(errorOf(foreign).code).toBe('SESSION_NOT_FOUND');
      const revoked = await t.app.inject({
        method: 'DELETE',
        url: `/api/v1/session/sessions/${other?.id}`,
        headers: s1.write,
      });
      expect(revoked.statusCode).toBe(204);
      expect((await t.app.inject({ url: '/api/v1/session', headers: s2.read })).statusCode).toBe(401);
      expect((await t.app.inject({ url: '/api/v1/session', headers: s1.read })).statusCode).toBe(200);
      expect((await t.app.inject({ url: '/api/v1/session', headers: stranger.read })).statusCode).toBe(200);
    });

    it('changes the own password with the current one and ends the other sessions', async () => {
      const user = await seedUser(t, a.tenantId, 'clerk');
      const s1 = await loginAs(t, user);
      const s2 = await loginAs(t, user);
      const wrong = await t.app.inject({
        method: 'POST',
        url: '/api/v1/session/password',
        headers: s1.write,
        payload: { currentPassword: 'not-it', newPassword: 'a-new-password' },
      });
      expect(wrong.statusCode).toBe(400);
      expect(errorOf(wrong).code).toBe('CURRENT_PASSWORD_WRONG');
      const short = await t.app.inject({
        method: 'POST',
        url: '/api/v1/session/password',
        headers: s1.write,
        payload: { currentPassword: user.password, newPassword: 'short' },
      });
      expect(short.statusCode).toBe(400);
      const ok = await t.app.inject({
        method: 'POST',
        url: '/api/v1/session/password',
        headers: s1.write,
        payload: { currentPassword: user.password, newPassword: 'a-new-password' },
      });
      expect(ok.statusCode).toBe(204);
      expect((await t.app.inject({ url: '/api/v1/session', headers: s1.read })).statusCode).toBe(200);
      expect((await t.app.inject({ url: '/api/v1/session', headers: s2.read })).statusCode).toBe(401);
      await loginAs(t, { username: user.username, password: 'a-new-password' }, '10.3.0.1');
    });

    it('answers 403 FORBIDDEN naming the missing permission', async () => {
      const s = await loginAs(t, await seedUser(t, a.tenantId, 'auditor'));
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/apps', headers: s.write, payload: { name: 'x' } });
      expect(res.statusCode).toBe(403);
      expect(errorOf(res)).toMatchObject({ code: 'FORBIDDEN', details: { permission: 'integrations.manage' } });
      expect(errorOf(res).message).toContain('integrations.manage');
    });
  });
}
