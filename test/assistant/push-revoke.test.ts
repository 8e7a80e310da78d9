/**
 * Push and the access token's life (#15 §3 review): an open WebSocket whose token is revoked or expires closes with
 * 4401 and delivers nothing more; a waiting long-poll whose token is revoked answers 401, and 503 when the recheck
 * cannot reach the database. Imports are not lost: the next consumer with a live token gets them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUSH_CLOSE_TOKEN_INVALID } from '../../src/modules/assistant/push/push.routes.js';
import { buildTestApp, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { connect, insertEvent, listen, nextPushSubscription, poll, record } from './push-kit.js';

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: assistant push and a revoked or expired token`, () => {
    let t: TestApp;
    let base: string;
    let a: SeededTenant;
    let seq = 0;

    beforeAll(async () => {
      t = await buildTestApp(dialect);
      base = await listen(t);
      a = await seedTenant(t, 'revoke');
    }, 240_000);
    afterAll(async () => t?.close());

    /** A new access token of tenant A's app (valid for AUTH's default lifetime). */
    const newToken = async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/token',
        payload: { appId: a.appId, appSecret: a.appSecret },
      });
      expect(res.statusCode, res.body).toBe(200);
      return res.json<{ accessToken: string; expiresIn: number }>();
    };
    const revoke = async (token: string) => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/revoke',
        headers: { authorization: `Bearer ${token}` },
        payload: {},
      });
      expect(res.statusCode, res.body).toBeLessThan(300);
    };
    const fresh = async () => {
      const linkKey = `rv-${++seq}-${dialect.name}`;
      return { linkKey, event: await insertEvent(t, a.tenantId, linkKey) };
    };
    const open = async (linkKey: string, token: string) => {
      const subscribed = nextPushSubscription(t);
      const c = await connect(base, `linkKey=${linkKey}&access_token=${token}`);
      await subscribed;
      return c;
    };

    it('a socket whose token is revoked closes with 4401 at the next delivery; the import stays for the next consumer', async () => {
      const { linkKey, event } = await fresh();
      const { accessToken } = await newToken();
      const c = await open(linkKey, accessToken);
      const first = await record(t, event, 1);
      expect((await c.received(1)).map((m) => m.importId)).toEqual([first]);
      await revoke(accessToken);
      const second = await record(t, event, 2);
      expect((await c.closed).code).toBe(PUSH_CLOSE_TOKEN_INVALID);
      expect(c.messages.map((m) => m.importId)).toEqual([first]);
      // Not consumed by the closed socket: a poll with a live token takes it.
      expect((await poll(base, a.token, linkKey)).body.imports?.map((i) => i.importId)).toEqual([second]);
      // The revoked token opens nothing any more.
      await expect(connect(base, `linkKey=${linkKey}&access_token=${accessToken}`)).rejects.toMatchObject({
        status: 401,
      });
    });

    it('a silent socket whose token is revoked closes with 4401 at its next heartbeat', async () => {
      const { linkKey } = await fresh();
      const { accessToken } = await newToken();
      const c = await open(linkKey, accessToken);
      await revoke(accessToken);
      c.ws.send(JSON.stringify({ handshake: false }));
      expect((await c.closed).code).toBe(PUSH_CLOSE_TOKEN_INVALID);
    });

    it('a waiting poll whose token is revoked answers 401 and takes nothing', async () => {
      const { linkKey, event } = await fresh();
      const { accessToken } = await newToken();
      const waiting = nextPushSubscription(t);
      const pending = poll(base, accessToken, linkKey, 30);
      await waiting;
      await revoke(accessToken);
      // The import's signal wakes the poll: its token is checked before it claims.
      const id = await record(t, event, 4);
      const answer = await pending;
      expect(answer.status).toBe(401);
      expect(answer.body.error?.code).toBe('AUTH_TOKEN_INVALID');
      expect((await poll(base, a.token, linkKey)).body.imports?.map((i) => i.importId)).toEqual([id]);
    });

    it('a waiting poll whose token recheck cannot reach the database answers 503 SERVICE_UNAVAILABLE, takes nothing', async () => {
      const { linkKey, event } = await fresh();
      const { accessToken } = await newToken();
      const waiting = nextPushSubscription(t);
      const pending = poll(base, accessToken, linkKey, 30);
      await waiting;
      // The token lookup is cached for 15 s (server clock): past that, the recheck reads the database, which fails.
      t.clock.advance(16_000);
      const db = t.runtime.deps.db.kysely;
      const selectFrom = db.selectFrom.bind(db);
      (db as { selectFrom: unknown }).selectFrom = (from: string) => {
        if (String(from).startsWith('access_tokens')) throw new Error('connection terminated unexpectedly');
        return selectFrom(from as never);
      };
      let id: string;
      let answer: Awaited<typeof pending>;
      try {
        id = await record(t, event, 5);
        answer = await pending;
      } finally {
        delete (db as { selectFrom?: unknown }).selectFrom;
      }
      expect(answer.status).toBe(503);
      expect(answer.body.error?.code).toBe('SERVICE_UNAVAILABLE');
      expect((await poll(base, accessToken, linkKey)).body.imports?.map((i) => i.importId)).toEqual([id]);
    });

    // Last: it moves the server's clock past every token issued so far.
    it('a socket whose token expires closes with 4401 and delivers nothing more', async () => {
      const { linkKey } = await fresh();
      const { accessToken, expiresIn } = await newToken();
      const c = await open(linkKey, accessToken);
      // Past the token's lifetime on the server's clock (the event code lives 10 minutes: a new one for the import).
      t.clock.advance(expiresIn * 1000 + 1000);
      const later = await insertEvent(t, a.tenantId, linkKey);
      const id = await record(t, later, 3);
      expect((await c.closed).code).toBe(PUSH_CLOSE_TOKEN_INVALID);
      expect(c.messages).toEqual([]);
      const { accessToken: renewed } = await newToken();
      expect((await poll(base, renewed, linkKey)).body.imports?.map((i) => i.importId)).toEqual([id]);
    });
  });
}
