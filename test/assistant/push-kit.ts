import http from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import type { AssistantEvent } from '../../src/modules/assistant/assistant.tables.js';
import { IMPORT_SIGNAL_TOPIC, type ImportPayload, recordImport } from '../../src/modules/assistant/index.js';
import type { Clock } from '../../src/platform/clock.js';
import { newId } from '../../src/platform/ids.js';
import { type SubscriptionSpy, spySubscriptions } from '../helpers/signals.js';
import type { TestApp } from '../helpers/test-app.js';

/** A node: its runtime and the clock it runs on. */
export interface Node {
  readonly runtime: TestApp['runtime'];
  readonly clock: Clock;
}

/** Listens on a free loopback port; answers the base URL (http://127.0.0.1:port). */
export async function listen(t: TestApp): Promise<string> {
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = t.app.server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

/** An event row (the pages' event code, asst-core) for a link key, live for 10 minutes. */
export async function insertEvent(
  t: Node,
  tenantId: string,
  linkKey: string,
  billId = newId('bill'),
): Promise<AssistantEvent> {
  const now = t.clock.now();
  const event: AssistantEvent = {
    id: newId('aev'),
    tenant_id: tenantId,
    code_hash: newId('hash'),
    business_system_id: 'bs_test',
    resource: 'OA',
    bill_id: billId,
    bill_no: null,
    bill_type: null,
    bill_tax_no: null,
    user_id: 'u1',
    employee_id: 'emp_test',
    link_key: linkKey,
    push_type: 'socket',
    company_json: '[]',
    created_by: 'test',
    created_at: now,
    expires_at: now + 600_000,
    revoked_at: null,
  };
  await t.runtime.deps.db.kysely.insertInto('assistant_events').values(event).execute();
  return event;
}

export function samplePayload(n: number): ImportPayload {
  return {
    invoiceData: [{ id: `rcv_${n}`, invoiceNo: `2400000000000000${String(n).padStart(4, '0')}`, claimAmount: '10.00' }],
    attachData: [
      {
        url: `http://127.0.0.1/api/v1/received-invoices/rcv_${n}/file`,
        fileType: 1,
        invoiceNo: null,
        fileName: `${n}.pdf`,
        invoiceId: `rcv_${n}`,
      },
    ],
  };
}

/** Records an import through node `t` as the pages' 导入单据 does: row + signal in one transaction. */
export async function record(t: Node, event: AssistantEvent, n: number): Promise<string> {
  const deps = t.runtime.deps;
  const now = t.clock.now();
  return deps.signals.withTransaction(deps.db.kysely, (trx, publish) =>
    recordImport(trx, publish, { tenantId: event.tenant_id, event, payload: samplePayload(n), now }),
  );
}

const importSpies = new WeakMap<object, SubscriptionSpy>();

/**
 * Resolves at the next subscription to the import signal on node `t` (a socket or a poll now waits). Patches the
 * node's signals once; later calls reuse the spy.
 */
export function nextPushSubscription(t: TestApp): Promise<void> {
  const signals = t.runtime.deps.signals;
  let spy = importSpies.get(signals);
  if (!spy) {
    spy = spySubscriptions(signals, [IMPORT_SIGNAL_TOPIC]);
    importSpies.set(signals, spy);
  }
  return spy.nextSubscription();
}

export interface Client {
  ws: WebSocket;
  /** Every message received so far, parsed. */
  readonly messages: { importId: string; billId: string; linkKey: string }[];
  /** Resolves once `count` messages in all were received. */
  received(count: number): Promise<Client['messages']>;
  closed: Promise<{ code: number; reason: string }>;
}

/** Opens the push WebSocket; resolves once it is open. */
export function connect(base: string, query: string, headers: Record<string, string> = {}): Promise<Client> {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/api/v1/assistant/socket?${query}`, { headers });
  const messages: Client['messages'] = [];
  let waiters: { count: number; resolve: () => void }[] = [];
  ws.on('message', (data) => {
    messages.push(JSON.parse(String(data)));
    waiters = waiters.filter((w) => {
      if (messages.length < w.count) return true;
      w.resolve();
      return false;
    });
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  return new Promise((resolve, reject) => {
    ws.once('open', () =>
      resolve({
        ws,
        messages,
        closed,
        received: (count) =>
          messages.length >= count
            ? Promise.resolve(messages)
            : new Promise((res) => waiters.push({ count, resolve: () => res(messages) })),
      }),
    );
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode, body })));
    });
    ws.once('error', reject);
  });
}

/** The long-poll over real HTTP. */
export async function poll(
  base: string,
  token: string,
  linkKey: string,
  wait = 0,
): Promise<{ status: number; body: { imports?: { importId: string; billId: string }[]; error?: { code: string } } }> {
  // A fresh connection per poll (agent: false): a pooled keep-alive one may be closed by the server's short test
  // timeouts just as it is reused ("other side closed"), which would say nothing about the push.
  const url = new URL(`${base}/api/v1/assistant/poll?linkKey=${encodeURIComponent(linkKey)}&wait=${wait}`);
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, headers: { authorization: `Bearer ${token}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as never });
        } catch (err) {
          reject(err);
        }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}
