/**
 * webhooks-fanout: invoices issued through the API fan out as signed `invoice.issued` webhooks to three business
 * systems (the owner plus two that receive all invoices), all pointing at a receiver in this process on 127.0.0.1
 * (allowlisted by the runner's OUTBOUND_ALLOWED_HOSTS). Measured in setup, outside autocannon: deliveries/s and the
 * end-to-end latency from issue (the invoice's issuedAt) and from the API request to receipt, p50/p99. Prints its own
 * table and writes bench/results/webhooks-fanout.delivery.json. The HTTP part lists the delivery log.
 */

import { randomBytes } from 'node:crypto';
import type { Benchmark, BenchServers } from '../lib/measure.js';
import { getAuthHeaders } from '../lib/token.js';
import { type Receipt, report, startReceiver, summarize } from './webhooks-fanout-receiver.js';

const BURST = 300;
const PACED = 60;
const CONCURRENCY = 8;
const SYSTEMS = ['BENCH', 'BENCH-ALL-1', 'BENCH-ALL-2'] as const;
const RUN = randomBytes(3).toString('hex');

async function api(
  app: BenchServers['app'],
  headers: Record<string, string>,
  method: string,
  url: string,
  body?: unknown,
) {
  const res = await fetch(new URL(url, app.baseUrl), {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status >= 300)
    throw new Error(`webhooks-fanout setup: ${method} ${url} answered ${res.status}: ${await res.text()}`);
  return res.json() as Promise<Record<string, unknown>>;
}

function invoiceBody(sellerTaxId: string, serialNo: string) {
  return {
    serialNo,
    businessSystemCode: SYSTEMS[0],
    kind: '82',
    seller: { taxId: sellerTaxId },
    buyer: { name: '北京测试科技有限公司', taxId: '91110000600037341L' },
    lines: [{ name: '软件开发服务', taxCode: '3040201010000000000', amount: '10000.00', taxRate: '0.06' }],
  };
}

async function waitForReceipts(receipts: Map<string, Receipt>, expected: number, diagnose: () => Promise<string>) {
  const deadline = Date.now() + 180_000;
  while (receipts.size < expected) {
    if (Date.now() > deadline) {
      throw new Error(
        `webhooks-fanout: ${receipts.size} of ${expected} deliveries arrived in 180 s; ${await diagnose()}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** What the app says about deliveries that did not arrive (for the error message). */
async function diagnose(app: BenchServers['app'], headers: Record<string, string>): Promise<string> {
  const parts: string[] = [];
  for (const status of ['pending', 'retrying', 'dead']) {
    const page = await api(app, headers, 'GET', `/api/v1/webhook-deliveries?status=${status}&limit=3`);
    const items = page.items as Array<{ lastError: string | null }>;
    parts.push(`${status}: ${items.length ? items.map((d) => d.lastError).join(' | ') : 'none'}`);
  }
  for (const state of ['queued', 'retry', 'dead']) {
    const page = await api(app, headers, 'GET', `/api/v1/jobs?state=${state}&limit=3`);
    const items = page.items as Array<{ task: string; lastError: string | null }>;
    parts.push(`jobs ${state}: ${items.map((j) => `${j.task} ${j.lastError ?? ''}`).join(' | ') || 'none'}`);
  }
  return parts.join('; ');
}

/** Until the app's worker has nothing queued or running (renders, fan-outs of the burst). */
async function waitForIdleWorker(app: BenchServers['app'], headers: Record<string, string>): Promise<void> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const busy = await Promise.all(
      ['queued', 'running', 'retry'].map(async (state) => {
        const page = await api(app, headers, 'GET', `/api/v1/jobs?state=${state}&limit=1`);
        return (page.items as unknown[]).length;
      }),
    );
    if (busy.every((n) => n === 0)) return;
    if (Date.now() > deadline) throw new Error('webhooks-fanout: the worker did not become idle in 180 s');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Phase 1 (throughput): BURST invoices from CONCURRENCY clients, then waits until every system got every one.
 * Phase 2 (latency): once the worker is idle, PACED invoices one at a time, each awaited until all its deliveries
 * arrived — latency without a backlog in front of it.
 */
async function measureFanout(app: BenchServers['app'], headers: Record<string, string>) {
  const secrets = new Map<string, string>();
  const receiver = await startReceiver(secrets);
  try {
    for (const [i, code] of SYSTEMS.entries()) {
      const created = await api(app, headers, 'POST', '/api/v1/business-systems', {
        code,
        name: code,
        callbackUrl: `http://127.0.0.1:${receiver.port}/${code}`,
        events: ['invoice.issued'],
        receiveAllInvoices: i > 0,
      });
      secrets.set(code, String(created.secret));
    }
    const requestedAt = new Map<string, number>();
    const issue = async (serialNo: string) => {
      requestedAt.set(serialNo, Date.now());
      await api(app, headers, 'POST', '/api/v1/invoices', invoiceBody(app.sellerTaxId, serialNo));
    };
    const started = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < BURST) await issue(`W${RUN}-b${(next++).toString(36)}`);
      }),
    );
    await waitForReceipts(receiver.receipts, BURST * SYSTEMS.length, () => diagnose(app, headers));
    const burst = [...receiver.receipts.values()];
    await waitForIdleWorker(app, headers);
    receiver.receipts.clear();
    for (let i = 0; i < PACED; i++) {
      await issue(`W${RUN}-p${i.toString(36)}`);
      await waitForReceipts(receiver.receipts, (i + 1) * SYSTEMS.length, () => diagnose(app, headers));
    }
    const paced = [...receiver.receipts.values()];
    return summarize({
      systems: SYSTEMS.length,
      concurrency: CONCURRENCY,
      burst,
      paced,
      requestedAt,
      started,
      duplicates: receiver.duplicates(),
    });
  } finally {
    await receiver.close();
  }
}

export const webhooksFanout: Benchmark = {
  name: 'webhooks-fanout',
  description:
    'GET /api/v1/webhook-deliveries (delivery log page); fan-out deliveries/s and latency are measured in setup',
  async setup({ app }) {
    const headers = await getAuthHeaders(app, 'webhooks-fanout');
    report(app.dialect, await measureFanout(app, headers));
    return {
      target: { method: 'GET', path: '/api/v1/webhook-deliveries?limit=50', headers },
      baseline: { method: 'GET', path: '/me', headers },
    };
  },
};
