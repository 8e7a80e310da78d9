/** Push to expense systems (#15 §3): WebSocket and long-poll on a link key, each import consumed exactly once. */
import http from 'node:http';
import net from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { IMPORT_SIGNAL_TOPIC, importSignalKey } from '../../src/modules/assistant/index.js';
import { PURGE_WINDOW_MS, purgeImportsTask } from '../../src/modules/assistant/push/push.tasks.js';
import { IMPORT_GRACE_MS } from '../../src/modules/assistant/push/record-import.js';
import { loginAs, seedUser } from '../auth/console-kit.js';
import { nextSignals } from '../helpers/signals.js';
import { buildTestApp, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { type Client, connect, insertEvent, listen, nextPushSubscription, poll, record } from './push-kit.js';

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: assistant push`, () => {
    let t: TestApp;
    let base: string;
    let a: SeededTenant;
    let b: SeededTenant;
    const clients: Client[] = [];
    let seq = 0;
    /** A fresh link key of tenant A with its event. */
    const fresh = async (tenant = () => a) => {
      const linkKey = `lk-${++seq}-${dialect.name}`;
      return { linkKey, event: await insertEvent(t, tenant().tenantId, linkKey) };
    };
    const open = async (linkKey: string, token = a.token) => {
      const subscribed = nextPushSubscription(t);
      const c = await connect(base, `linkKey=${encodeURIComponent(linkKey)}&access_token=${token}`);
      clients.push(c);
      await subscribed;
      return c;
    };
    const consumedBy = async (importId: string) =>
      (
        await t.runtime.deps.db.kysely
          .selectFrom('assistant_imports')
          .select(['consumed_by', 'consumed_at'])
          .where('id', '=', importId)
          .executeTakeFirst()
      )?.consumed_by;

    beforeAll(async () => {
      t = await buildTestApp(dialect);
      base = await listen(t);
      a = await seedTenant(t, 'pushA');
      b = await seedTenant(t, 'pushB');
    });
    afterAll(async () => {
      for (const c of clients) c.ws.terminate();
      await t?.close();
    });

    // A poll whose client leaves while it claims hands the imports back (pending again) and wakes the link key's
    // other consumers on every node (without the wake a waiting poll would only find them at its safety re-read).
    // PostgreSQL only: a table lock holds the claim until the client has gone, and pg_stat_activity shows it waiting.
    // First in the file, so that nothing else of this app (an earlier test's socket) touches the table meanwhile.
    it.skipIf(dialect.name !== 'postgres')(
      'a poll whose client left during its claim releases the imports and wakes the link key',
      async () => {
        const { linkKey, event } = await fresh();
        const imported = await record(t, event, 1);
        const db = t.runtime.deps.db.kysely;
        let unlock!: () => void;
        const unlocked = new Promise<void>((resolve) => {
          unlock = resolve;
        });
        let locked!: () => void;
        const lockTaken = new Promise<void>((resolve) => {
          locked = resolve;
        });
        let holderPid = 0;
        const holder = db.connection().execute(async (conn) => {
          await sql`begin`.execute(conn);
          // Never held for long, whatever happens to the test.
          await sql`set local lock_timeout = '25s'`.execute(conn);
          await sql`set local idle_in_transaction_session_timeout = '25s'`.execute(conn);
          await sql`lock table assistant_imports in exclusive mode`.execute(conn);
          holderPid = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(conn)).rows[0]!.pid;
          locked();
          await unlocked;
          await sql`rollback`.execute(conn);
        });
        await lockTaken;
        // The poll's request, on its own connection; the server's end of it, to know when the server saw it close.
        const serverSide = new Promise<net.Socket>((resolve) => {
          const onConnection = (s: net.Socket) => {
            t.app.server.off('connection', onConnection);
            resolve(s);
          };
          t.app.server.on('connection', onConnection);
        });
        const url = new URL(`${base}/api/v1/assistant/poll?linkKey=${encodeURIComponent(linkKey)}&wait=20`);
        const req = http.get(url, { agent: false, headers: { authorization: `Bearer ${a.token}` } });
        req.on('error', () => {});
        let woken: Promise<{ key: string }[]>;
        try {
          const socket = await serverSide;
          // The poll's claim (the batch claim's SKIP LOCKED pick) is waiting for exactly this lock.
          await expect
            .poll(
              async () =>
                (
                  await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
                    where datname = current_database() and query like '%skip locked%'
                      and ${holderPid}::int = any(pg_blocking_pids(pid))`.execute(db)
                ).rows[0]?.n,
              { timeout: 20_000 },
            )
            .toBeGreaterThanOrEqual(1);
          const closed = new Promise<void>((resolve) => socket.once('close', () => setImmediate(resolve)));
          req.destroy();
          await closed;
          woken = nextSignals(t.runtime.deps.signals, IMPORT_SIGNAL_TOPIC);
        } finally {
          req.destroy();
          unlock();
          await holder;
        }
        // The release signals the link key (a waiting poll or socket of any node claims again) ...
        expect((await woken).map((s) => s.key)).toEqual([importSignalKey(a.tenantId, linkKey)]);
        // ... and the import is pending again, for the next poll.
        expect(await consumedBy(imported)).toBeNull();
        expect((await poll(base, a.token, linkKey)).body.imports?.map((i) => i.importId)).toEqual([imported]);
      },
    );

    it('a WebSocket receives exactly one message per import, in order, tolerating heartbeats', async () => {
      const { linkKey, event } = await fresh();
      const c = await open(linkKey);
      const ids = [await record(t, event, 1), await record(t, event, 2)];
      expect((await c.received(2)).map((m) => m.importId)).toEqual(ids);
      // Kingdee's demo heartbeat (every 20 s), and a ping: the socket stays, the next import comes once.
      c.ws.send(JSON.stringify({ handshake: false }));
      c.ws.send(JSON.stringify({ handshake: false }));
      c.ws.ping();
      const third = await record(t, event, 3);
      const messages = await c.received(3);
      expect(messages.map((m) => m.importId)).toEqual([...ids, third]);
      expect(messages[2]).toMatchObject({
        importId: third,
        resource: 'OA',
        billId: event.bill_id,
        linkKey,
        invoiceData: [{ id: 'rcv_3', claimAmount: '10.00' }],
        attachData: [{ fileType: 1, fileName: '3.pdf', invoiceId: 'rcv_3' }],
      });
      expect(await consumedBy(third)).toMatch(/^socket:/);
      // Consumed: a poll finds nothing.
      expect((await poll(base, a.token, linkKey)).body).toEqual({ imports: [] });
    });

    it('an oversized or binary frame closes the socket', async () => {
      const { linkKey } = await fresh();
      const big = await open(linkKey);
      big.ws.send('x'.repeat(4096));
      expect((await big.closed).code).toBe(1009);
      const bin = await open(linkKey);
      bin.ws.send(Buffer.from([1, 2, 3]));
      expect((await bin.closed).code).toBe(1003);
    });

    it('the long-poll takes pending imports at once, and waits for the next one', async () => {
      const { linkKey, event } = await fresh();
      const first = await record(t, event, 1);
      const second = await record(t, event, 2);
      const got = await poll(base, a.token, linkKey);
      expect(got.status).toBe(200);
      expect(got.body.imports?.map((i) => i.importId)).toEqual([first, second]);
      expect(await consumedBy(first)).toMatch(/^poll:/);
      expect((await poll(base, a.token, linkKey)).body.imports).toEqual([]);
      // A waiting poll is answered by the import recorded while it waits.
      const waiting = nextPushSubscription(t);
      const pending = poll(base, a.token, linkKey, 30);
      await waiting;
      const third = await record(t, event, 3);
      expect((await pending).body.imports?.map((i) => i.importId)).toEqual([third]);
    });

    it('imports recorded while nobody is connected are delivered at the next connection, oldest first', async () => {
      const { linkKey, event } = await fresh();
      const ids: string[] = [];
      for (let i = 1; i <= 3; i++) ids.push(await record(t, event, i));
      const c = await open(linkKey);
      expect((await c.received(3)).map((m) => m.importId)).toEqual(ids);
      // A second connection on the same link key gets nothing of them: the next import goes to one of the two.
      const d = await open(linkKey);
      const next = await record(t, event, 4);
      await Promise.race([c.received(4), d.received(1)]);
      expect([...c.messages, ...d.messages].map((m) => m.importId)).toEqual([...ids, next]);
    });

    it('WebSockets and long-polls racing on many imports: each import exactly once overall', async () => {
      const { linkKey, event } = await fresh();
      const sockets = [await open(linkKey), await open(linkKey)];
      const total = 40;
      const polled: string[] = [];
      let recording = true;
      const pollers = [0, 1, 2].map(async () => {
        while (recording || polled.length + sockets.reduce((n, s) => n + s.messages.length, 0) < total) {
          const res = await poll(base, a.token, linkKey, 1);
          expect(res.status).toBe(200);
          polled.push(...(res.body.imports ?? []).map((i) => i.importId));
        }
      });
      const ids = await Promise.all(Array.from({ length: total }, (_, i) => record(t, event, i + 1)));
      recording = false;
      await Promise.all(pollers);
      const delivered = [...polled, ...sockets.flatMap((s) => s.messages.map((m) => m.importId))];
      expect(delivered.length).toBe(total);
      expect(new Set(delivered)).toEqual(new Set(ids));
      const rows = await t.runtime.deps.db.kysely
        .selectFrom('assistant_imports')
        .select('consumed_by')
        .where('link_key', '=', linkKey)
        .execute();
      expect(rows.every((r) => r.consumed_by !== null)).toBe(true);
    });

    it('a missing or wrong token, or a console session, is refused; a plain GET of the socket path is 426', async () => {
      const { linkKey } = await fresh();
      await expect(connect(base, `linkKey=${linkKey}`)).rejects.toMatchObject({
        status: 401,
        body: expect.stringContaining('ASSISTANT_PUSH_TOKEN_REQUIRED'),
      });
      await expect(connect(base, `linkKey=${linkKey}&access_token=nope`)).rejects.toMatchObject({
        status: 401,
        body: expect.stringContaining('AUTH_TOKEN_INVALID'),
      });
      // The bearer header works too.
      const viaHeader = await connect(base, `linkKey=${linkKey}`, { authorization: `Bearer ${a.token}` });
      clients.push(viaHeader);
      expect(viaHeader.ws.readyState).toBe(WebSocket.OPEN);
      const noToken = await fetch(`${base}/api/v1/assistant/poll?linkKey=${linkKey}`);
      expect(noToken.status).toBe(401);
      const wrong = await fetch(`${base}/api/v1/assistant/poll?linkKey=${linkKey}`, {
        headers: { authorization: 'Bearer nope' },
      });
      expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe('AUTH_TOKEN_INVALID');
      // The poll takes no token in the query (it can set headers).
      const queryToken = await fetch(`${base}/api/v1/assistant/poll?linkKey=${linkKey}&access_token=${a.token}`);
      expect(queryToken.status).toBe(401);
      // A signed-in console user with bills.manage still needs an API token (no cookie-authorised socket).
      const admin = await loginAs(t, await seedUser(t, a.tenantId, 'admin'));
      const byCookie = await t.app.inject({ url: `/api/v1/assistant/poll?linkKey=${linkKey}`, headers: admin.read });
      expect(byCookie.statusCode).toBe(401);
      const plain = await fetch(`${base}/api/v1/assistant/socket?linkKey=${linkKey}`, {
        headers: { authorization: `Bearer ${a.token}` },
      });
      expect(plain.status).toBe(426);
      const invalid = await fetch(`${base}/api/v1/assistant/poll?linkKey=${'k'.repeat(201)}`, {
        headers: { authorization: `Bearer ${a.token}` },
      });
      expect(invalid.status).toBe(400);
    });

    it('link keys are per tenant: tenant B never gets tenant A’s imports on the same link key', async () => {
      const linkKey = `shared-${dialect.name}`;
      const eventA = await insertEvent(t, a.tenantId, linkKey);
      const eventB = await insertEvent(t, b.tenantId, linkKey);
      const socketB = await open(linkKey, b.token);
      const importA = await record(t, eventA, 1);
      const importB = await record(t, eventB, 2);
      expect((await socketB.received(1)).map((m) => m.importId)).toEqual([importB]);
      expect((await poll(base, b.token, linkKey)).body.imports).toEqual([]);
      expect((await poll(base, a.token, linkKey)).body.imports?.map((i) => i.importId)).toEqual([importA]);
      expect(socketB.messages.map((m) => m.importId)).toEqual([importB]);
    });

    it('expired imports are not delivered, and the hourly janitor deletes them', async () => {
      const { linkKey, event } = await fresh();
      const expired = await record(t, event, 1);
      // The import outlives its event (10 minutes) by IMPORT_GRACE_MS.
      t.clock.advance(600_000 + IMPORT_GRACE_MS);
      const later = await insertEvent(t, a.tenantId, linkKey);
      const live = await record(t, later, 2);
      expect((await poll(base, a.token, linkKey)).body.imports?.map((i) => i.importId)).toEqual([live]);
      expect(await consumedBy(expired)).toBeNull();
      const window = Math.floor(t.clock.now() / PURGE_WINDOW_MS);
      await purgeImportsTask.handler(t.runtime.deps, { window }, {} as never);
      const left = await t.runtime.deps.db.kysely
        .selectFrom('assistant_imports')
        .select('id')
        .where('link_key', '=', linkKey)
        .execute();
      expect(left.map((r) => r.id)).toEqual([live]);
      // The run scheduled the next window's, due at its end.
      const next = await t.runtime.deps.db.kysely
        .selectFrom('jobs')
        .select(['run_at', 'state'])
        .where('job_key', '=', `assistant/purge-imports:${window + 1}`)
        .executeTakeFirstOrThrow();
      expect(next).toMatchObject({ state: 'queued', run_at: (window + 2) * PURGE_WINDOW_MS });
    });
  });

  describe.skipIf(dialect.skip)(`${dialect.name}: assistant push and the server's timeouts and shutdown`, () => {
    it('an open socket outlives the HTTP timeouts (they stop at the upgrade); connections are capped per tenant', {
      timeout: 60_000,
    }, async () => {
      const t = await buildTestApp(dialect, {
        // Short, but long enough that a loaded machine still reads each plain HTTP request in time (at 200/300 ms a
        // busy CI machine hung up on the test's own polls).
        HTTP_HEADERS_TIMEOUT_MS: '1000',
        HTTP_REQUEST_TIMEOUT_MS: '1500',
        HTTP_KEEP_ALIVE_TIMEOUT_MS: '1000',
        HTTP_CONNECTION_TIMEOUT_MS: '1500',
        ASSISTANT_PUSH_CONNECTIONS_PER_TENANT: '1',
      });
      try {
        const base = await listen(t);
        const a = await seedTenant(t, 'timeouts');
        const event = await insertEvent(t, a.tenantId, 'k1');
        const subscribed = nextPushSubscription(t);
        const c = await connect(base, `linkKey=k1&access_token=${a.token}`);
        await subscribed;
        // Silent for longer than every HTTP timeout: three plain connections opened after the socket, each left
        // waiting where one of the timeouts applies, are closed by the server (so the timeouts did run meanwhile);
        // the socket is still open and still delivering. The last to close (the unfinished body: the request and
        // connection timeouts, 1.5 s) ends the wait, however loaded the machine.
        const port = Number(new URL(base).port);
        const closedByServer = (send: string) =>
          new Promise<void>((resolve, reject) => {
            const s = net.connect(port, '127.0.0.1', () => s.write(send));
            s.on('data', () => {});
            s.once('error', reject);
            s.once('close', () => resolve());
          });
        await Promise.all([
          // nothing sent: the headers timeout
          closedByServer(''),
          // a request answered, then an idle keep-alive connection: the keep-alive timeout
          closedByServer('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'),
          // headers sent, the body never comes: the request timeout (and the connection timeout)
          closedByServer('POST /api/v1/auth/token HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n'),
        ]);
        expect(c.ws.readyState).toBe(WebSocket.OPEN);
        const id = await record(t, event, 1);
        expect((await c.received(1)).map((m) => m.importId)).toEqual([id]);
        // The cap per tenant and node (1 here): a second socket, or a second waiting poll, is refused over HTTP.
        await expect(connect(base, `linkKey=k2&access_token=${a.token}`)).rejects.toMatchObject({
          status: 429,
          body: expect.stringContaining('ASSISTANT_PUSH_TOO_MANY_CONNECTIONS'),
        });
        const other = await seedTenant(t, 'timeouts-other');
        const theirs = await connect(base, `linkKey=k1&access_token=${other.token}`);
        theirs.ws.terminate();
        // The waiting poll has a link key of its own: on k1 the open socket would compete with it for the import
        // (either may take it, exactly once), and the poll would wait out its 30 s.
        const polled = await insertEvent(t, a.tenantId, 'k3');
        const waiting = nextPushSubscription(t);
        const pending = poll(base, a.token, 'k3', 30);
        await waiting;
        expect((await poll(base, a.token, 'k3')).body.error?.code).toBe('ASSISTANT_PUSH_TOO_MANY_CONNECTIONS');
        const second = await record(t, polled, 2);
        expect((await pending).body.imports?.map((i) => i.importId)).toEqual([second]);
        // A closed socket frees its place.
        c.ws.terminate();
        await c.closed;
        // The server frees the place when it sees the close; until then a new socket may still be refused.
        let reopened: Client | undefined;
        for (let attempt = 0; attempt < 100 && !reopened; attempt++) {
          reopened = await connect(base, `linkKey=k1&access_token=${a.token}`).catch((err: { status?: number }) => {
            if (err.status !== 429) throw err;
            return new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 50));
          });
        }
        expect(reopened?.ws.readyState).toBe(WebSocket.OPEN);
        reopened?.ws.terminate();
      } finally {
        await t.close();
      }
    });

    it('closing the app closes sockets with 1001 and answers waiting polls at once', async () => {
      const t = await buildTestApp(dialect);
      const base = await listen(t);
      const a = await seedTenant(t, 'shutdown');
      const subscribed = nextPushSubscription(t);
      const c = await connect(base, `linkKey=k1&access_token=${a.token}`);
      await subscribed;
      const waiting = nextPushSubscription(t);
      const pending = poll(base, a.token, 'k1', 30);
      await waiting;
      const closing = t.close();
      expect((await c.closed).code).toBe(1001);
      expect((await pending).body).toEqual({ imports: [] });
      await closing;
    });
  });
}
