import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRuntime } from '../../src/app.js';
import { createApiApp, createTenant } from '../../src/modules/auth/index.js';
import { createOrg } from '../../src/modules/orgs/index.js';
import { loadConfig } from '../../src/platform/config/load-config.js';
import { bindSandboxSeller } from '../../src/sandbox-binding.js';
import { createReceiver, type Receiver } from '../delivery/delivery-kit.js';
import { fetchToken, freePort, type Served, startServer } from '../helpers/processes.js';
import { makeUscc } from '../helpers/test-app.js';
import { TEST_DIALECTS, type TestDbConfig } from '../helpers/test-db.js';
import { blueRequest } from '../invoicing/invoicing-kit.js';
import { COMPANY_TITLE, orderBody } from '../scan/scan-kit.js';

// Three real server processes on one PostgreSQL database: A and B (`all`), C (`worker`). Load goes through A and B;
// B is SIGKILLed mid-load while it holds leased jobs, the load continues on A, B restarts, everything drains, and
// then the database, the sandbox ledger, the answers, the logs and the webhook receiver are checked against each
// other (docs/deploy.md). The timeout is a hang detector, not a time assertion.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });

const postgres = TEST_DIALECTS.find((d) => d.name === 'postgres')!;
const LEASE_MS = 4000;

type NodeName = 'A' | 'B' | 'C';

/** One answer the load generator got: which node answered (after a failover to A, A), what, and for which key. */
interface Answer {
  key: string;
  sentTo: NodeName;
  answeredBy: NodeName;
  /** Why the request went to A instead of B: B's socket died under it, or B refused the connection; null if not. */
  failedOver: 'died' | 'refused' | null;
  status: number;
  body: Record<string, unknown>;
}

/** A JSON log line of a node (pino). */
interface LogLine {
  msg?: string;
  jobId?: string;
  task?: string;
  workerId?: string;
}

function logLines(output: string): LogLine[] {
  return output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);
}

describe.skipIf(postgres.skip)('postgres: three nodes, one SIGKILLed under load', () => {
  let created: TestDbConfig;
  let url: string;
  let root: string;
  let client: pg.Client;
  let receiver: Receiver;
  const ports = {} as Record<NodeName, number>;
  const base = {} as Record<NodeName, string>;
  const envs = {} as Record<NodeName, Record<string, string>>;
  /** Every process started, with the node it played (B twice). */
  const processes: { node: NodeName; served: Served }[] = [];
  let tenantId: string;
  let sellerTaxId: string;
  let auth: Record<string, string>;

  const nodeProcess = (node: NodeName) => processes.filter((p) => p.node === node).at(-1)!.served;

  async function start(node: NodeName): Promise<Served> {
    const args = node === 'C' ? ['--role', 'worker'] : ['--role', 'all'];
    const served = await startServer(args, envs[node], node === 'C' ? 'OpenFapiao worker' : 'OpenFapiao is running');
    processes.push({ node, served });
    return served;
  }

  beforeAll(async () => {
    created = await postgres.createConfigDb();
    if (created.dbConfig.driver !== 'postgres') throw new Error('expected PostgreSQL');
    url = created.dbConfig.url;
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'openfapiao-multinode-'));
    client = new pg.Client({ connectionString: url });
    await client.connect();
    receiver = await createReceiver();

    const shared = {
      DATABASE_URL: url,
      SECRET_ENCRYPTION_KEY: 'multinode-secret-encryption-key-0123456789',
      SIGNING_KEY: 'multinode-signing-key-0123456789-abcdefghij',
      METRICS_TOKEN: 'multinode-metrics-token-0123456789',
      BLOB_STORE: 'db',
      OUTBOUND_ALLOWED_HOSTS: '127.0.0.1',
      DEMO_SEED: 'false',
      LOG_LEVEL: 'info',
      DB_POOL_SIZE: '5',
      JOB_LEASE_MS: String(LEASE_MS),
      JOB_POLL_INTERVAL_MS: '100',
      // A is busy serving; a small worker there leaves work for B and C, as a web-heavy node would.
      JOB_CONCURRENCY: '8',
    };
    for (const node of ['A', 'B', 'C'] as const) ports[node] = await freePort();
    for (const node of ['A', 'B', 'C'] as const) {
      base[node] = `http://127.0.0.1:${ports[node]}`;
      envs[node] = {
        ...shared,
        // Its own DATA_DIR: nothing but the database is shared.
        DATA_DIR: path.join(root, node),
        ...(node === 'C'
          ? { PORT: String(await freePort()), WORKER_HTTP_PORT: String(ports.C) }
          : { PORT: String(ports[node]), PUBLIC_URL: base[node] }),
        ...(node === 'A' ? { JOB_CONCURRENCY: '4' } : {}),
      };
    }

    // Seed before the nodes start: tenant, bound seller, API app (what the CLI does, in-process).
    const config = loadConfig({ ...shared, DATA_DIR: path.join(root, 'seed'), LOG_LEVEL: 'silent' });
    const runtime = await createRuntime(config, { logger: pino({ level: 'silent' }) });
    let appId: string;
    let appSecret: string;
    try {
      const ctx = { db: runtime.deps.db.kysely, clock: runtime.deps.clock };
      tenantId = (await createTenant(ctx, { name: '多节点测试' })).id;
      sellerTaxId = makeUscc('91310115MA1K4Q8RX');
      await createOrg(ctx, tenantId, { taxId: sellerTaxId, name: '多节点测试销方有限公司' });
      await bindSandboxSeller(runtime.deps, tenantId, sellerTaxId);
      const created = await createApiApp(ctx, { tenantId, name: 'multinode' });
      appId = created.app.app_id;
      appSecret = created.appSecret;
    } finally {
      await runtime.close();
    }

    await Promise.all((['A', 'B', 'C'] as const).map((n) => start(n)));
    auth = { authorization: `Bearer ${await fetchToken(base.A, { appId, appSecret })}` };
    // C, the worker, answers its probes and is scraped on its own port.
    expect((await fetch(`${base.C}/readyz`)).status).toBe(200);
    const metrics = await fetch(`${base.C}/metrics`, { headers: { authorization: `Bearer ${shared.METRICS_TOKEN}` } });
    expect(await metrics.text()).toMatch(
      new RegExp(`openfapiao_node_info\\{role="worker",worker_id="[^"]+:${nodeProcess('C').child.pid}:[^"]+"\\} 1`),
    );
  });

  afterAll(async () => {
    for (const { served } of processes) if (served.child.exitCode === null) await served.stop('SIGKILL');
    await receiver?.stop();
    await client?.end();
    await created?.cleanup();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  const api = (node: NodeName, pathname: string, body?: unknown) =>
    fetch(`${base[node]}${pathname}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  /** Sends to `node`; when B is down (the socket died or was refused), sends again to A, as a load balancer would. */
  async function withFailover<T>(node: NodeName, send: (node: NodeName) => Promise<T>) {
    try {
      return { answeredBy: node, failedOver: null, result: await send(node) };
    } catch (err) {
      if (node !== 'B') throw err;
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      const failedOver = cause === 'ECONNREFUSED' ? ('refused' as const) : ('died' as const);
      return { answeredBy: 'A' as const, failedOver, result: await send('A') };
    }
  }

  const exchange = async (res: Promise<Response>) => {
    const r = await res;
    return { status: r.status, text: await r.text() };
  };

  async function issue(node: NodeName, request: Record<string, unknown>): Promise<Answer> {
    const { answeredBy, failedOver, result } = await withFailover(node, (n) =>
      exchange(api(n, '/api/v1/invoices?wait=10', request)),
    );
    const body = JSON.parse(result.text) as Record<string, unknown>;
    return { key: request.serialNo as string, sentTo: node, answeredBy, failedOver, status: result.status, body };
  }

  /**
   * A consumer on `node`'s H5 page: opens the link (cookie + CSRF field) there, or on `pageOn` when given (a balancer
   * without sticky sessions), and submits a company title to `node`.
   */
  function submitTitle(node: NodeName, token: string, pageOn?: NodeName) {
    return withFailover(node, async (n) => {
      const page = await fetch(`${base[pageOn ?? n]}/s/${token}`);
      const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0]!;
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
      return exchange(
        fetch(`${base[n]}/s/${token}`, {
          method: 'POST',
          redirect: 'manual',
          headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ _csrf: csrf, ...COMPANY_TITLE, kind: '82' }).toString(),
        }),
      );
    });
  }

  /** Pushes an order on `pushTo` and has a consumer submit it on `submitOn`. */
  async function scanOrder(settingKey: string, pushTo: NodeName, submitOn: NodeName, pageOn?: NodeName) {
    const body = orderBody(settingKey);
    const push = await withFailover(pushTo, (n) => exchange(api(n, '/api/v1/scan/orders', body)));
    const pushed = push.result;
    // A push that died inside B may have committed there: the re-send to A then finds the order (200, same token).
    expect(pushed.status, pushed.text).toBe(push.failedOver === 'died' ? pushed.status : 201);
    expect([200, 201], pushed.text).toContain(pushed.status);
    const { token } = JSON.parse(pushed.text) as { token: string };
    const submitted = (await submitTitle(submitOn, token, pageOn)).result;
    expect([200, 303], submitted.text).toContain(submitted.status);
    return body.orderNo;
  }

  const query = async <R extends Record<string, unknown>>(text: string, values: unknown[] = []) =>
    (await client.query<R>(text, values)).rows;

  it('issues every serial once, leaves nothing stuck, answers every ?wait, and delivers every webhook', async () => {
    const system = await api('A', '/api/v1/business-systems', {
      code: 'ERP',
      name: 'ERP',
      callbackUrl: receiver.url,
      events: ['invoice.issued', 'invoice.failed', 'order.submitted', 'order.invoiced'],
      receiveAllInvoices: true,
    });
    expect(system.status).toBe(201);
    const setting = await api('B', '/api/v1/scan/settings', {
      sellerTaxId,
      scanType: 'issue',
      allowedKinds: ['82'],
      validityDays: 30,
      businessSystemCode: 'ERP',
    });
    expect(setting.status).toBe(201);
    const { key: settingKey } = (await setting.json()) as { key: string };
    const seller = { sellerTaxId } as Parameters<typeof blueRequest>[0];

    // Phase 1: fresh serials through A and B, duplicate serials sent to both at once, scan orders across nodes.
    const answers: Promise<Answer>[] = [];
    const orders: Promise<string>[] = [];
    const duplicates: string[] = [];
    for (let i = 0; i < 40; i++)
      answers.push(issue(i % 2 === 0 ? 'A' : 'B', blueRequest(seller, { businessSystemCode: 'ERP' })));
    for (let i = 0; i < 12; i++) {
      const request = blueRequest(seller, { businessSystemCode: 'ERP' });
      duplicates.push(request.serialNo);
      answers.push(issue('A', request), issue('B', request));
    }
    for (let i = 0; i < 10; i++) orders.push(scanOrder(settingKey, i % 2 === 0 ? 'A' : 'B', i % 2 === 0 ? 'B' : 'A'));

    // SIGKILL B once its worker holds leased jobs (running, locked by B's pid).
    const b1 = nodeProcess('B');
    let heldByB: { task: string }[] = [];
    for (let i = 0; i < 2000 && heldByB.length === 0; i++) {
      heldByB = await query<{ task: string }>("select task from jobs where state = 'running' and locked_by like $1", [
        `%:${b1.child.pid}:%`,
      ]);
      if (heldByB.length === 0) await new Promise((r) => setTimeout(r, 5));
    }
    expect(heldByB.length).toBeGreaterThan(0);
    b1.child.kill('SIGKILL');
    await new Promise<void>((r) => b1.child.once('exit', () => r()));

    // Phase 2: the load continues on A (and on B's address, which fails over to A) while B restarts.
    for (let i = 0; i < 20; i++)
      answers.push(issue(i % 4 === 0 ? 'B' : 'A', blueRequest(seller, { businessSystemCode: 'ERP' })));
    for (let i = 0; i < 4; i++) {
      const request = blueRequest(seller, { businessSystemCode: 'ERP' });
      duplicates.push(request.serialNo);
      answers.push(issue('A', request), issue('A', request));
    }
    for (let i = 0; i < 4; i++) orders.push(scanOrder(settingKey, 'A', 'A'));
    const restarted = start('B');
    const phase12 = await Promise.all(answers);
    const orderNos = await Promise.all(orders);
    await restarted;

    // Phase 3: B serves again.
    const phase3 = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        issue(i % 2 === 0 ? 'B' : 'A', blueRequest(seller, { businessSystemCode: 'ERP' })),
      ),
    );
    orderNos.push(await scanOrder(settingKey, 'B', 'B'), await scanOrder(settingKey, 'A', 'B', 'A'));
    const all = [...phase12, ...phase3];

    // Drain: no invoice pending/issuing, no job due or running, every order invoiced. Jobs scheduled for later (the
    // audit sealer's next window, the nightly re-verification, any other chain) are not work left over.
    for (let i = 0; ; i++) {
      const [busy] = await query<{ jobs: string; invoices: string; orders: string }>(
        `select (select count(*) from jobs where state in ('queued', 'retry', 'running') and not (state = 'queued' and run_at > $1)) as jobs,
                (select count(*) from invoices where status in ('pending', 'issuing')) as invoices,
                (select count(*) from scan_orders where status <> 'invoiced') as orders`,
        [Date.now()],
      );
      if (busy!.jobs === '0' && busy!.invoices === '0' && busy!.orders === '0') break;
      if (i > 1500) throw new Error(`not drained: ${JSON.stringify(busy)}`);
      await new Promise((r) => setTimeout(r, 20));
    }

    // Every serial exactly one invoice, all issued; every job succeeded (none dead, none stuck).
    const serials = new Set([...all.map((a) => a.key), ...orderNos.map((o) => `S-${o}`)]);
    const invoices = await query<{ id: string; serial_no: string; status: string; number: string | null }>(
      'select id, serial_no, status, number from invoices where tenant_id = $1',
      [tenantId],
    );
    expect(invoices.length).toBe(serials.size);
    expect(new Set(invoices.map((i) => i.serial_no))).toEqual(serials);
    expect(invoices.filter((i) => i.status !== 'issued')).toEqual([]);
    const jobStates = await query<{ state: string; n: string }>(
      "select state, count(*) as n from jobs where task <> 'audit/seal-chains' and not (state = 'queued' and run_at > $1) group by state order by state",
      [Date.now()],
    );
    expect(jobStates.map((s) => s.state)).toEqual(['succeeded']);

    // The sandbox ledger: one row per issued invoice, same numbers.
    const ledger = await query<{ number: string }>('select number from sandbox_ledger where seller_tax_id = $1', [
      sellerTaxId,
    ]);
    expect(ledger.length).toBe(invoices.length);
    expect(new Set(ledger.map((l) => l.number))).toEqual(new Set(invoices.map((i) => i.number)));

    // Every ?wait got an answer: 200 issued with the invoice's one number, or 202 when the wait ended first (its job
    // still leased to the killed node, or a machine too loaded to issue within 10 s: ?wait bounds the wait, it does
    // not promise the outcome; the invoice is checked issued above all the same). A request that died with B's socket was sent again to A and names the same invoice.
    const bySerial = new Map(invoices.map((i) => [i.serial_no, i]));
    for (const a of all) {
      expect([200, 202], JSON.stringify(a)).toContain(a.status);
      expect(a.body.serialNo).toBe(a.key);
      if (a.status === 200) {
        expect(a.body).toMatchObject({ status: 'issued', number: bySerial.get(a.key)!.number });
      }
    }
    // Some requests were inside B when it died (the client saw the socket close), and were re-sent to A.
    const failedOver = all.filter((a) => a.failedOver !== null);
    const diedWithB = failedOver.filter((a) => a.failedOver === 'died');
    expect(diedWithB.length).toBeGreaterThan(0);
    for (const d of duplicates) {
      const pair = all.filter((a) => a.key === d && a.status === 200);
      expect(new Set(pair.map((a) => a.body.number)).size, d).toBeLessThanOrEqual(1);
    }

    // Which node ran each job, from the nodes' own logs ("job succeeded" carries jobId and workerId).
    const ranOn = new Map<string, { node: NodeName; workerId: string }>();
    for (const { node, served } of processes) {
      for (const line of logLines(served.output())) {
        if (line.msg === 'job succeeded' && line.jobId) ranOn.set(line.jobId, { node, workerId: line.workerId ?? '' });
      }
    }
    const jobs = await query<{ id: string; task: string; payload: string }>(
      "select id, task, payload from jobs where task in ('invoicing/issue-invoice', 'documents/render-invoice')",
    );
    const jobOf = (task: string, invoiceId: string) =>
      jobs.filter((j) => j.task === task && (JSON.parse(j.payload) as { invoiceId: string }).invoiceId === invoiceId);
    const issuedElsewhere = all.filter(
      (a) =>
        a.answeredBy === 'A' &&
        a.status === 200 &&
        jobOf('invoicing/issue-invoice', bySerial.get(a.key)!.id).some((j) => {
          const node = ranOn.get(j.id)?.node;
          return node !== undefined && node !== 'A';
        }),
    );
    expect(issuedElsewhere.length).toBeGreaterThan(0);

    // A PDF rendered by one node downloads from a web node that did not render it (BLOB_STORE=db).
    const downloads: { renderedBy: NodeName; from: NodeName }[] = [];
    for (const inv of invoices.slice(0, 12)) {
      // The issue job renders the files itself; the render job exists only as its fallback (rendering failed).
      const renderers = [...jobOf('documents/render-invoice', inv.id), ...jobOf('invoicing/issue-invoice', inv.id)];
      const renderedBy = renderers.map((j) => ranOn.get(j.id)?.node).find((node) => node !== undefined);
      if (!renderedBy) continue;
      const from: NodeName = renderedBy === 'A' ? 'B' : 'A';
      const pdf = await fetch(`${base[from]}/api/v1/invoices/${inv.serial_no}/files/pdf`, { headers: auth });
      expect(pdf.status).toBe(200);
      expect(
        Buffer.from(await pdf.arrayBuffer())
          .subarray(0, 5)
          .toString(),
      ).toBe('%PDF-');
      downloads.push({ renderedBy, from });
    }
    expect(downloads.length).toBeGreaterThan(0);

    // Webhooks: raw POSTs per event id as the receiver counts them (no de-duplication here). Every issued invoice
    // and every order event arrived; an event POSTed twice is allowed only as at-least-once around the kill: the
    // same delivery id, the first POST before B died, the repeat after.
    const deliveriesDone = await query<{ status: string; n: string }>(
      'select status, count(*) as n from webhook_deliveries group by status',
    );
    expect(deliveriesDone.map((d) => d.status)).toEqual(['delivered']);
    const posts = new Map<
      string,
      { index: number; delivery: string; type: string; serial?: string; order?: string }[]
    >();
    receiver.received.forEach((r, index) => {
      const event = JSON.parse(r.body) as { id: string; type: string; data: { serialNo?: string; orderNo?: string } };
      const list = posts.get(event.id) ?? [];
      list.push({
        index,
        delivery: String(r.headers['x-openfapiao-delivery']),
        type: event.type,
        ...(event.data.serialNo ? { serial: event.data.serialNo } : {}),
        ...(event.data.orderNo ? { order: event.data.orderNo } : {}),
      });
      posts.set(event.id, list);
    });
    const events = [...posts.values()].map((l) => l[0]!);
    expect(new Set(events.filter((e) => e.type === 'invoice.issued').map((e) => e.serial))).toEqual(serials);
    expect(events.filter((e) => e.type === 'invoice.issued').length).toBe(serials.size);
    for (const type of ['order.submitted', 'order.invoiced']) {
      expect(new Set(events.filter((e) => e.type === type).map((e) => e.order))).toEqual(new Set(orderNos));
      expect(events.filter((e) => e.type === type).length).toBe(orderNos.length);
    }
    const repeated = [...posts.values()].filter((l) => l.length > 1);
    // Webhooks are at least once (docs/webhooks.md): a repeat comes from a delivery whose job ran again — B killed
    // after the receiver answered (its POST may be recorded only after the kill is seen), or a lease that expired on
    // this loaded machine. A repeat must be the same delivery, and repeats stay rare.
    for (const list of repeated) expect(new Set(list.map((p) => p.delivery)).size).toBe(1);
    expect(repeated.length).toBeLessThanOrEqual(Math.max(2, Math.ceil(posts.size / 20)));

    const stats = {
      invoices: invoices.length,
      waitAnswers: all.length,
      answered202: all.filter((a) => a.status === 202).length,
      answered202AfterFailover: all.filter((a) => a.status === 202 && a.failedOver !== null).length,
      failedOver: failedOver.length,
      diedWithB: diedWithB.length,
      heldByBAtKill: heldByB.map((j) => j.task),
      issuedElsewhereForA: issuedElsewhere.length,
      jobsRunBy: Object.fromEntries(
        (['A', 'B', 'C'] as const).map((n) => [n, [...ranOn.values()].filter((r) => r.node === n).length]),
      ),
      webhookPosts: receiver.received.length,
      webhookRepeats: repeated.length,
      downloads: downloads.length,
    };
    process.stdout.write(`multinode: ${JSON.stringify(stats)}\n`);
  });
});
