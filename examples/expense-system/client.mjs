#!/usr/bin/env node
// An expense system (报销系统) talking to OpenFapiao's invoice assistant — the integration walkthrough of
// docs/assistant.md#push as code. Plain Node ESM (Node 20+): only `ws` and the built-in fetch.
//
//   node examples/expense-system/client.mjs --base http://127.0.0.1:8080 --app-id … --app-secret … \
//     --resource OA --bill-id BX-0001 --user-id zhang.san --company-tax-no 91310000… --company-name 上海某某有限公司 \
//     [--link-key lk-1] [--poll] [--save] [--once]
//
// 1. gets an access token (POST /api/v1/auth/token);
// 2. asks for an event code for the bill (POST /api/v1/assistant/events) and prints the select URL (open it in a
//    browser, or embed it in the expense form);
// 3. waits for pushes: the WebSocket (default; heartbeat {"handshake":false} every 20 s, reconnects with backoff) or
//    the long-poll (--poll; GET /api/v1/assistant/poll?wait=30 in a loop); a revoked or expired token (socket close
//    4401 or upgrade 401, poll 401) is replaced by a new one and the client reconnects at once — once: refused again,
//    it backs off (1 s doubling to 30 s); credentials the server refuses (wrong secret, disabled app) exit 1;
// 4. prints each push (one JSON line per import) and, with --save, saves the bill with the pushed invoices
//    (PUT /api/v1/bills/{resource}/{billId}, status in_use; the claim amounts as pushed).
// --once exits after the first push. Output: one JSON line per event on stdout (`{"event": …}`).
import { parseArgs } from 'node:util';
import WebSocket from 'ws';

const { values: args } = parseArgs({
  options: {
    // The server's default address (HOST 127.0.0.1, PORT 8080: docs/configuration.md).
    base: { type: 'string', default: 'http://127.0.0.1:8080' },
    'app-id': { type: 'string' },
    'app-secret': { type: 'string' },
    resource: { type: 'string', default: 'OA' },
    'bill-id': { type: 'string', default: `BX-${Date.now()}` },
    'bill-no': { type: 'string' },
    'user-id': { type: 'string', default: 'demo.user' },
    'link-key': { type: 'string' },
    'company-tax-no': { type: 'string' },
    'company-name': { type: 'string' },
    poll: { type: 'boolean', default: false },
    save: { type: 'boolean', default: false },
    once: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

const USAGE = `usage: node examples/expense-system/client.mjs --app-id <id> --app-secret <secret> [--base http://127.0.0.1:8080]
  [--resource OA] [--bill-id BX-1] [--bill-no …] [--user-id demo.user] [--link-key lk-…]
  --company-tax-no <税号> --company-name <名称> [--poll] [--save] [--once]
The API app (控制台 → 应用) needs the bills.manage permission; --resource is the code of one of its business systems.`;

if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const missing = ['app-id', 'app-secret', 'company-tax-no', 'company-name'].filter((name) => !args[name]);
if (missing.length > 0) {
  console.error(`missing ${missing.map((m) => `--${m}`).join(', ')}\n${USAGE}`);
  process.exit(2);
}

const base = args.base.replace(/\/+$/, '');
const linkKey = args['link-key'] ?? `lk-${args['bill-id']}`;
const out = (event, data) => console.log(JSON.stringify({ event, ...data }));

async function api(method, path, token, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    signal: AbortSignal.timeout(60_000),
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  }).catch((err) => {
    throw new Error(`${method} ${base}${path}: ${err.cause?.message ?? err.message}`);
  });
  const json = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) {
    const error = json?.error ?? {};
    const message = `${method} ${path}: HTTP ${res.status} ${error.code ?? ''} ${error.message ?? ''}`.trim();
    throw Object.assign(new Error(message), { status: res.status });
  }
  return json;
}

/**
 * An access token; renewed a minute before it expires, and at once after the server refused it (revoked). Credentials
 * the server refuses (the token request answers 401 or 403: a wrong or rotated secret, a disabled app) end the client
 * with exit code 1: no retry can fix them. Other failures (network, 5xx) throw, and the caller backs off.
 */
let token = null;
let tokenExpiresAt = 0;
function dropToken() {
  token = null;
}
async function accessToken() {
  if (token && Date.now() < tokenExpiresAt - 60_000) return token;
  const got = await api('POST', '/api/v1/auth/token', null, {
    appId: args['app-id'],
    appSecret: args['app-secret'],
  }).catch((err) => {
    if (err.status === 401 || err.status === 403) {
      out('error', { message: `credentials refused: check --app-id and --app-secret (${err.message})` });
      process.exit(1);
    }
    throw err;
  });
  token = got.accessToken;
  tokenExpiresAt = Date.now() + got.expiresIn * 1000;
  return token;
}

/** Waits between failed attempts: 1 s doubling to 30 s, back to 1 s after a success. */
function backoff() {
  let delay = 1000;
  return {
    next() {
      const ms = delay;
      delay = Math.min(delay * 2, 30_000);
      return ms;
    },
    reset() {
      delay = 1000;
    },
  };
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let done = false;
function finish() {
  done = true;
  process.exitCode = 0;
}

/** One push: print it, save the bill with its invoices if asked. */
async function onPush(message) {
  out('push', {
    importId: message.importId,
    resource: message.resource,
    billId: message.billId,
    invoices: message.invoiceData.map((i) => ({ id: i.id, number: i.number, claimAmount: i.claimAmount })),
    attachments: message.attachData.map((a) => ({ url: a.url, fileType: a.fileType, fileName: a.fileName })),
  });
  if (args.save) {
    const bill = await api(
      'PUT',
      `/api/v1/bills/${encodeURIComponent(message.resource)}/${encodeURIComponent(message.billId)}`,
      await accessToken(),
      {
        ...(args['bill-no'] ? { billNo: args['bill-no'] } : {}),
        status: 'in_use',
        invoices: message.invoiceData.map((i) => ({ invoiceId: i.id, amount: i.claimAmount })),
      },
    );
    out('bill-saved', { billId: message.billId, invoiceCount: bill?.invoices?.length ?? null });
  }
  if (args.once) finish();
}

/**
 * The WebSocket, reconnected with backoff until --once is satisfied. A token the server refuses (close 4401 while
 * open, 401 on the upgrade) is dropped and a new one fetched: at once the first time, with backoff when the new one is
 * refused too (never a tight loop).
 */
async function listenSocket() {
  const wait = backoff();
  let renewedAfterRefusal = false;
  while (!done) {
    const url = `${base.replace(/^http/, 'ws')}/api/v1/assistant/socket?linkKey=${encodeURIComponent(linkKey)}`;
    let bearer;
    try {
      bearer = await accessToken();
    } catch (err) {
      const retryInMs = wait.next();
      out('error', { message: err.message, retryInMs });
      await sleep(retryInMs);
      continue;
    }
    // A browser would pass `&access_token=`; Node can send the header.
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${bearer}` } });
    let refusedStatus = null;
    const closed = new Promise((resolve) => {
      let heartbeat = null;
      ws.on('open', () => {
        wait.reset();
        renewedAfterRefusal = false;
        out('connected', { transport: 'socket', linkKey });
        heartbeat = setInterval(() => ws.send(JSON.stringify({ handshake: false })), 20_000);
      });
      ws.on('message', (data) => {
        onPush(JSON.parse(String(data)))
          .then(() => {
            if (done) ws.close(1000, 'done');
          })
          .catch((err) => out('error', { message: err.message }));
      });
      ws.on('unexpected-response', (_req, res) => {
        refusedStatus = res.statusCode;
        out('refused', { status: res.statusCode });
        ws.terminate();
      });
      ws.on('error', (err) => out('error', { message: err.message }));
      ws.on('close', (code) => {
        clearInterval(heartbeat);
        resolve(code);
      });
    });
    const code = await closed;
    if (done) return;
    // 1001: the server is going away (deploy) — reconnect at once, to another node behind the load balancer.
    // 4401 (revoked or expired while open) or 401 on the upgrade: drop the token and reconnect with a new one — at
    // once the first time, with backoff if the new token is refused as well.
    const tokenRefused = code === 4401 || refusedStatus === 401;
    if (tokenRefused) dropToken();
    const now = code === 1001 || (tokenRefused && !renewedAfterRefusal);
    if (tokenRefused) renewedAfterRefusal = true;
    const retryInMs = now ? 0 : wait.next();
    out('disconnected', { code, ...(refusedStatus === null ? {} : { status: refusedStatus }), retryInMs });
    await sleep(retryInMs);
  }
}

/**
 * The long-poll: up to 30 s per request, then again. A 401 (token revoked or expired while the poll waited) gets a new
 * token and polls again at once, once; other failures, and a 401 right after a renewal, back off.
 */
async function listenPoll() {
  out('connected', { transport: 'poll', linkKey });
  const wait = backoff();
  let renewedAfterRefusal = false;
  while (!done) {
    try {
      const { imports } = await api(
        'GET',
        `/api/v1/assistant/poll?linkKey=${encodeURIComponent(linkKey)}&wait=30`,
        await accessToken(),
      );
      wait.reset();
      renewedAfterRefusal = false;
      for (const message of imports) await onPush(message);
    } catch (err) {
      if (err.status === 401) dropToken();
      const now = err.status === 401 && !renewedAfterRefusal;
      if (err.status === 401) renewedAfterRefusal = true;
      const retryInMs = now ? 0 : wait.next();
      out('error', { message: err.message, retryInMs });
      await sleep(retryInMs);
    }
  }
}

/** A failure before listening (no token, event code refused): one `error` line, exit code 1. */
function fail(err) {
  out('error', { message: err.message });
  process.exit(1);
}

const event = await api('POST', '/api/v1/assistant/events', await accessToken().catch(fail), {
  billId: args['bill-id'],
  resource: args.resource,
  ...(args['bill-no'] ? { billNo: args['bill-no'] } : {}),
  userId: args['user-id'],
  linkKey,
  pushType: args.poll ? 'poll' : 'socket',
  companyInfo: [{ taxNo: args['company-tax-no'], name: args['company-name'] }],
}).catch(fail);
// The event code itself is a secret of the employee's session: print the URLs, never log them in production.
out('event', { expiresAt: event.expiresAt, selectUrl: event.selectUrl, mobileSelectUrl: event.mobileSelectUrl });
await (args.poll ? listenPoll() : listenSocket());
