import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type {} from '@fastify/websocket';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import WebSocket from 'ws';
import type { Deps } from '../../../platform/deps.js';
import { AppError, isAppError } from '../../../platform/errors/app-error.js';
import { SERVICE_UNAVAILABLE } from '../../../platform/errors/platform.errors.js';
import { responses } from '../../../platform/http/schemas.js';
import { authenticateToken, createAuthHook, getAuth, parseBearer } from '../../auth/index.js';
import type { AssistantImport } from '../assistant.tables.js';
import {
  ASSISTANT_PUSH_TOKEN_REQUIRED,
  ASSISTANT_PUSH_TOO_MANY_CONNECTIONS,
  ASSISTANT_PUSH_UPGRADE_REQUIRED,
} from './push.errors.js';
import { claimImport, claimPending, findPendingIds, releaseClaims } from './push.repo.js';
import { claimerId, IMPORT_SIGNAL_TOPIC, importSignalKey, type PushMessage, toPushMessage } from './record-import.js';

export const PUSH_SOCKET_PATH = '/api/v1/assistant/socket';
export const PUSH_POLL_PATH = '/api/v1/assistant/poll';

/** Incoming WebSocket frames are heartbeats (`{"handshake":false}`): anything larger closes the socket (1009). */
export const PUSH_MAX_INCOMING_BYTES = 1024;

/**
 * Close code of a WebSocket whose access token was revoked or expired while it was open: get a new token and
 * reconnect (docs/assistant.md#the-websocket).
 */
export const PUSH_CLOSE_TOKEN_INVALID = 4401;

/** The longest long-poll wait, seconds. */
export const PUSH_MAX_WAIT_SECONDS = 30;

export interface PushLimits {
  /**
   * Every tick each socket is pinged (a socket that answered neither that ping nor sent anything since the previous
   * tick is terminated) and re-reads its pending imports (the safety re-read: a signal can be missed).
   */
  readonly tickMs: number;
  /** Between two safety re-reads of a waiting long-poll without a signal. */
  readonly pollSafetyReadMs: number;
}

/** setTimeout's longest delay: a token's expiry further away is rechecked at the ticks only until then. */
const MAX_TIMER_MS = 2_147_483_647;

export const PUSH_LIMITS: PushLimits = {
  tickMs: 15_000,
  pollSafetyReadMs: 5000,
};

/** Imports claimed per read (a consumer that falls behind gets the rest on the next read). */
const CLAIM_BATCH = 100;

/** As the event code request takes it (events.routes.ts). */
const LinkKey = Type.String({
  maxLength: 64,
  pattern: '^[A-Za-z0-9_.:-]{1,64}$',
  description: '事件码请求中的 linkKey（每租户独立）',
});

const SocketQuery = Type.Object({
  linkKey: LinkKey,
  access_token: Type.Optional(
    Type.String({ maxLength: 512, description: '访问令牌（浏览器无法设置 WebSocket 请求头时使用）' }),
  ),
});

const PollQuery = Type.Object({
  linkKey: LinkKey,
  wait: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: PUSH_MAX_WAIT_SECONDS,
      description: '没有待推送的导入时最多等待秒数（0 = 不等待）',
    }),
  ),
});

const Attachment = Type.Object({
  url: Type.String(),
  fileType: Type.Integer({ description: '1 pdf, 2 图片, 4 ofd, 9 xml' }),
  invoiceNo: Type.Union([Type.String(), Type.Null()]),
  fileName: Type.Union([Type.String(), Type.Null()]),
  invoiceId: Type.String(),
});

export const PushMessageSchema = Type.Object({
  importId: Type.String(),
  resource: Type.String(),
  billId: Type.String(),
  linkKey: Type.String(),
  invoiceData: Type.Array(Type.Unknown(), { description: '发票（与收票池视图相同）及 claimAmount' }),
  attachData: Type.Array(Attachment),
});

const PollReply = Type.Object({ imports: Type.Array(PushMessageSchema) });

/**
 * Push to expense systems (docs/assistant.md#push): the WebSocket and the long-poll on a link key. Every import is
 * claimed by a conditional update before it is sent, so one import goes to exactly one consumer, on any node.
 * Registered at the root (its own auth hook: an API app token from the header, or for the WebSocket from
 * `access_token=`; console sessions are refused).
 */
export const assistantPushRoutes: FastifyPluginAsyncTypebox<{ deps: Deps; limits?: Partial<PushLimits> }> = async (
  app,
  { deps, limits },
) => {
  const lim: PushLimits = { ...PUSH_LIMITS, ...limits };
  /** Open WebSockets, and waiting long-polls, of one tenant on this node (ASSISTANT_PUSH_CONNECTIONS_PER_TENANT). */
  const perTenant = deps.config.assistant.pushConnectionsPerTenant;
  const { db: database, clock, signals } = deps;
  const db = database.kysely;
  const common = { tags: ['assistant'], security: [{ bearerAuth: [] }] };
  /** Open sockets and waiting polls of this app, per tenant (caps), and what to tell when the app closes. */
  const socketCount = new Map<string, number>();
  const pollCount = new Map<string, number>();
  const sessions = new Set<{ tick(): void }>();
  const pollWakers = new Set<() => void>();
  let closing = false;

  const inc = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  const dec = (m: Map<string, number>, k: string) => {
    const n = (m.get(k) ?? 1) - 1;
    if (n <= 0) m.delete(k);
    else m.set(k, n);
  };

  // The token: the bearer header, or (WebSocket only: browsers cannot set its headers) `access_token=`. Never the
  // console cookie: a page of another site could otherwise open the socket with a signed-in user's cookie.
  app.addHook('onRequest', async (request) => {
    if (request.headers.authorization !== undefined) return;
    const token = (request.query as { access_token?: unknown }).access_token;
    if (request.routeOptions.url === PUSH_SOCKET_PATH && typeof token === 'string' && token.length > 0) {
      request.headers.authorization = `Bearer ${token}`;
      return;
    }
    throw new AppError(ASSISTANT_PUSH_TOKEN_REQUIRED);
  });
  app.addHook('onRequest', createAuthHook(deps));

  const ticker = setInterval(() => {
    for (const s of sessions) s.tick();
  }, lim.tickMs);
  ticker.unref();
  app.addHook('preClose', async () => {
    closing = true;
    clearInterval(ticker);
    for (const wake of pollWakers) wake();
  });

  app.route({
    method: 'GET',
    url: PUSH_SOCKET_PATH,
    config: { permission: 'bills.manage' },
    schema: {
      ...common,
      summary: '推送 WebSocket：接收导入单据 (push WebSocket: receive imports)',
      description:
        'WebSocket 升级请求。连接后先按时间顺序推送该 linkKey 尚未消费的导入，之后每次导入推送一条文本消息 ' +
        '`{importId, resource, billId, linkKey, invoiceData, attachData}`。客户端心跳 `{"handshake":false}` 不作应答。',
      querystring: SocketQuery,
      response: responses(
        { 101: Type.Null({ description: 'Switching Protocols：升级为 WebSocket (upgraded to a WebSocket)' }) },
        [400, 401, 403, 426, 429],
      ),
    },
    preHandler: async (request) => {
      if ((socketCount.get(getAuth(request).tenantId) ?? 0) >= perTenant) {
        throw new AppError(ASSISTANT_PUSH_TOO_MANY_CONNECTIONS);
      }
    },
    handler: async () => {
      throw new AppError(ASSISTANT_PUSH_UPGRADE_REQUIRED);
    },
    wsHandler: (socket, request) => {
      const { tenantId } = getAuth(request);
      const { linkKey } = request.query as { linkKey: string };
      inc(socketCount, tenantId);
      if (closing || (socketCount.get(tenantId) ?? 0) > perTenant) {
        dec(socketCount, tenantId);
        socket.close(closing ? 1001 : 1013, closing ? 'server shutting down' : 'too many connections');
        return;
      }
      const by = claimerId('socket');
      const log = request.log.child({ push: 'socket' });
      let alive = true;
      let running = false;
      let again = false;
      let closed = false;

      // The token it was opened with is rechecked before every delivery, at every tick, on heartbeats and at its
      // expiry: revoked or expired, the socket closes with 4401 and delivers nothing more.
      const token = parseBearer(request.headers.authorization);
      const tokenLive = async (): Promise<boolean> => {
        if (closed) return false;
        try {
          await authenticateToken({ db, clock }, token);
          return true;
        } catch (err) {
          if (!isAppError(err) || err.statusCode !== 401) {
            // The check could not run (database): keep the socket; the next check decides.
            log.warn({ err }, 'could not recheck the push socket token');
            return true;
          }
          if (!closed) {
            log.info('push socket token revoked or expired: closing');
            socket.close(PUSH_CLOSE_TOKEN_INVALID, 'token revoked or expired');
          }
          return false;
        }
      };
      const expiresAt = getAuth(request).app?.expiresAt;
      const expiryTimer =
        expiresAt === undefined
          ? null
          : setTimeout(() => void tokenLive(), Math.min(MAX_TIMER_MS, Math.max(0, expiresAt - clock.now()) + 1));
      expiryTimer?.unref();

      const send = (message: PushMessage) =>
        new Promise<boolean>((resolve) => {
          if (socket.readyState !== WebSocket.OPEN) {
            resolve(false);
            return;
          }
          // The callback runs once the frame was handed to the operating system, or with an error (socket gone).
          socket.send(JSON.stringify(message), (err) => resolve(!err));
        });

      /** Claims and sends the link key's pending imports, oldest first; one run at a time, re-run when woken meanwhile. */
      const drain = async (): Promise<void> => {
        if (closed) return;
        if (running) {
          again = true;
          return;
        }
        running = true;
        try {
          do {
            again = false;
            const ids = await findPendingIds(db, tenantId, linkKey, clock.now(), CLAIM_BATCH);
            for (const id of ids) {
              if (closed || socket.readyState !== WebSocket.OPEN) return;
              if (!(await tokenLive())) return;
              const row = await claimImport(db, tenantId, id, clock.now(), by);
              if (!row) continue;
              if (!(await send(toPushMessage(row)))) {
                // Not handed to the connection: give it back for the next consumer.
                await releaseAndWake(tenantId, linkKey, [id], by);
                return;
              }
              log.info({ importId: id }, 'import pushed over WebSocket');
            }
            if (ids.length === CLAIM_BATCH) again = true;
          } while (again && !closed);
        } catch (err) {
          log.warn({ err }, 'push over WebSocket failed; closing the socket');
          socket.close(1011, 'internal error');
        } finally {
          running = false;
        }
      };
      const wake = () => void drain();

      const unsubscribe = signals.subscribe(IMPORT_SIGNAL_TOPIC, importSignalKey(tenantId, linkKey), wake);
      const unConnect = signals.onConnect(wake);
      const session = {
        tick: () => {
          if (!alive) {
            socket.terminate();
            return;
          }
          alive = false;
          if (socket.readyState === WebSocket.OPEN) socket.ping();
          void tokenLive().then((live) => live && wake());
        },
      };
      sessions.add(session);
      socket.on('pong', () => {
        alive = true;
      });
      socket.on('message', (_data, isBinary) => {
        alive = true;
        // Text frames are heartbeats (`{"handshake":false}` every 20 s in Kingdee's demo): nothing to answer, but the
        // token is rechecked (a cached lookup).
        if (isBinary) socket.close(1003, 'text frames only');
        else void tokenLive();
      });
      socket.on('close', () => {
        closed = true;
        if (expiryTimer) clearTimeout(expiryTimer);
        sessions.delete(session);
        unsubscribe();
        unConnect();
        dec(socketCount, tenantId);
      });
      wake();
    },
  });

  app.get(
    PUSH_POLL_PATH,
    {
      config: { permission: 'bills.manage' },
      schema: {
        ...common,
        summary: '长轮询：领取导入单据 (long-poll: take the imports)',
        description:
          '领取该 linkKey 所有尚未消费的导入并返回；没有时最多等待 `wait` 秒（≤ 30），期间有导入即返回，超时返回空列表。' +
          '每条导入只会被领取一次（WebSocket 与长轮询之间、多个节点之间均如此）。',
        querystring: PollQuery,
        response: responses({ 200: PollReply }, [400, 401, 403, 429, 503]),
      },
    },
    async (request, reply) => {
      const { tenantId } = getAuth(request);
      if ((pollCount.get(tenantId) ?? 0) >= perTenant) throw new AppError(ASSISTANT_PUSH_TOO_MANY_CONNECTIONS);
      inc(pollCount, tenantId);
      try {
        const rows = await pollImports(request, reply, tenantId, request.query.linkKey, request.query.wait ?? 0);
        // Answered because the server closes: no keep-alive, or closing would wait for the idle connection.
        if (closing) void reply.header('connection', 'close');
        return { imports: rows.map(toPushMessage) };
      } finally {
        dec(pollCount, tenantId);
      }
    },
  );

  /**
   * Gives claims back (their consumer could not hand them over) and wakes the link key's other consumers, on every
   * node: a poll that claimed while the release was in flight still saw the rows taken, and would otherwise find them
   * only at its next safety re-read.
   */
  async function releaseAndWake(tenantId: string, linkKey: string, ids: readonly string[], by: string): Promise<void> {
    if ((await releaseClaims(db, tenantId, ids, by)) > 0) {
      await signals.publish(IMPORT_SIGNAL_TOPIC, importSignalKey(tenantId, linkKey));
    }
  }

  /**
   * A waiting poll's token recheck: revoked or expired, 401 AUTH_TOKEN_INVALID; when the check cannot run (the
   * database), 503 SERVICE_UNAVAILABLE — the client retries, nothing was claimed — never a 500.
   */
  async function recheckToken(token: string | null): Promise<void> {
    try {
      await authenticateToken({ db, clock }, token);
    } catch (err) {
      if (isAppError(err)) throw err;
      app.log.warn({ err }, 'could not recheck a waiting long-poll’s token');
      throw new AppError(SERVICE_UNAVAILABLE, '暂时无法校验访问令牌，请稍后重试');
    }
  }

  /**
   * Claims the link key's pending imports; when there are none, sleeps until the import signal (or a listener
   * reconnection, the safety re-read, the end of the wait, the client leaving or the app closing) and claims again.
   * Claims of a client that left before its answer was written are released.
   */
  async function pollImports(
    request: FastifyRequest,
    reply: FastifyReply,
    tenantId: string,
    linkKey: string,
    seconds: number,
  ): Promise<AssistantImport[]> {
    const by = claimerId('poll');
    let woken = false;
    let wakeSleep: (() => void) | null = null;
    let gone = false;
    let claimed: string[] = [];
    const wake = () => {
      woken = true;
      wakeSleep?.();
    };
    reply.raw.once('close', () => {
      if (reply.raw.writableFinished) return;
      gone = true;
      wake();
      // Claimed but not written: pending again.
      if (claimed.length > 0) {
        const ids = claimed;
        claimed = [];
        releaseAndWake(tenantId, linkKey, ids, by).catch((err) =>
          request.log.warn({ err }, 'could not release the claims of a departed long-poll'),
        );
      }
    });
    const unsubscribe = signals.subscribe(IMPORT_SIGNAL_TOPIC, importSignalKey(tenantId, linkKey), wake);
    const unConnect = signals.onConnect(wake);
    pollWakers.add(wake);
    const deadline = performance.now() + seconds * 1000;
    // Rechecked at every wake-up (a signal, the safety re-read, its expiry): revoked or expired while the poll waits,
    // the poll answers 401 AUTH_TOKEN_INVALID and claims nothing.
    const token = parseBearer(request.headers.authorization);
    const expiresAt = getAuth(request).app?.expiresAt ?? Number.POSITIVE_INFINITY;
    try {
      // Only the process's very first LISTEN connection is worth waiting for (then no signal is missed).
      if (seconds > 0) await signals.listening(Math.min(2000, seconds * 1000));
      for (;;) {
        woken = false;
        if (gone || closing) return [];
        await recheckToken(token);
        const rows = await claimPending(db, database.dialect, tenantId, linkKey, clock.now(), by, CLAIM_BATCH);
        if (gone) {
          await releaseAndWake(
            tenantId,
            linkKey,
            rows.map((r) => r.id),
            by,
          );
          return [];
        }
        if (rows.length > 0) {
          claimed = rows.map((r) => r.id);
          return rows;
        }
        const remaining = deadline - performance.now();
        if (remaining <= 0) return [];
        if (!woken) {
          await new Promise<void>((resolve) => {
            const untilExpiry = Math.max(0, expiresAt - clock.now()) + 1;
            const timer = setTimeout(done, Math.min(lim.pollSafetyReadMs, remaining, untilExpiry));
            function done() {
              clearTimeout(timer);
              wakeSleep = null;
              resolve();
            }
            wakeSleep = done;
          });
        }
      }
    } finally {
      wakeSleep = null;
      pollWakers.delete(wake);
      unsubscribe();
      unConnect();
    }
  }
};
