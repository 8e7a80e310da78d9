/**
 * Push across processes (#15 §3): two real server processes on one PostgreSQL. The WebSocket is on process A; the
 * employee's 导入单据 goes through the assistant page API on process B (upload the invoice, let B's jobs verify and
 * check it, import): the socket on A gets it exactly once, woken by NOTIFY. Then WebSocket on A and long-polls on B
 * race for imports recorded by a third node (this test's own runtime on the same database): each exactly once.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRuntime, type Runtime } from '../../src/app.js';
import type { AssistantEvent } from '../../src/modules/assistant/assistant.tables.js';
import { createApiApp, createTenant } from '../../src/modules/auth/index.js';
import { createOrg } from '../../src/modules/orgs/index.js';
import { loadConfig } from '../../src/platform/config/load-config.js';
import { bindSandboxSeller } from '../../src/sandbox-binding.js';
import { multipart } from '../collection/received-kit.js';
import { fetchToken, freePort, type Served, startServer } from '../helpers/processes.js';
import { makeUscc } from '../helpers/test-app.js';
import { TEST_DIALECTS, type TestDbConfig } from '../helpers/test-db.js';
import { blueRequest } from '../invoicing/invoicing-kit.js';
import { type Client, connect, insertEvent, poll, record } from './push-kit.js';

// Two server processes start (and stop) in the hooks, on a machine other test files keep busy: generous budgets.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 300_000 });

const postgres = TEST_DIALECTS.find((d) => d.name === 'postgres')!;

describe.skipIf(postgres.skip)('postgres: push across two server processes', () => {
  let created: TestDbConfig;
  let root: string;
  let runtime: Runtime;
  const served: Served[] = [];
  const base: Record<'A' | 'B', string> = { A: '', B: '' };
  let tenantId: string;
  let token: string;
  let sellerToken: string;
  let sellerTaxId: string;
  const buyer = { taxNo: makeUscc('91310000MA1K4PN0D'), name: '推送多节点报销有限公司' };
  let event: AssistantEvent;
  const clients: Client[] = [];
  const linkKey = 'expense-link-1';

  beforeAll(async () => {
    created = await postgres.createConfigDb();
    if (created.dbConfig.driver !== 'postgres') throw new Error('expected PostgreSQL');
    const url = created.dbConfig.url;
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'openfapiao-push-nodes-'));
    const shared = {
      DATABASE_URL: url,
      SECRET_ENCRYPTION_KEY: 'push-nodes-secret-encryption-key-0123456789',
      SIGNING_KEY: 'push-nodes-signing-key-0123456789-abcdefghij',
      BLOB_STORE: 'db',
      DEMO_SEED: 'false',
      LOG_LEVEL: 'warn',
      DB_POOL_SIZE: '4',
    };
    // The third node: this process, on the same database (its own pool and LISTEN connection).
    runtime = await createRuntime(loadConfig({ ...shared, DATA_DIR: path.join(root, 'seed'), LOG_LEVEL: 'silent' }), {
      logger: pino({ level: 'silent' }),
    });
    const ctx = { db: runtime.deps.db.kysely, clock: runtime.deps.clock };
    tenantId = (await createTenant(ctx, { name: '推送多节点' })).id;
    const app = await createApiApp(ctx, { tenantId, name: 'expense' });
    await createOrg(ctx, tenantId, { taxId: buyer.taxNo, name: buyer.name });
    // A seller on the sandbox that issues the employee's invoice.
    const sellerTenant = (await createTenant(ctx, { name: '推送多节点销方' })).id;
    sellerTaxId = makeUscc('91310000MA1K4PT1E');
    await createOrg(ctx, sellerTenant, { taxId: sellerTaxId, name: '推送多节点销方有限公司' });
    await bindSandboxSeller(runtime.deps, sellerTenant, sellerTaxId);
    const sellerApp = await createApiApp(ctx, { tenantId: sellerTenant, name: 'seller' });
    event = await insertEvent({ runtime, clock: runtime.deps.clock }, tenantId, linkKey);

    // Both processes boot at once (the schema is already migrated by this process's runtime): two app graphs load
    // side by side instead of one after the other. served[0] is A, served[1] is B; one that started is stopped in
    // afterAll even when the other did not.
    const starts = await Promise.allSettled(
      (['A', 'B'] as const).map(async (node) => {
        const port = await freePort();
        base[node] = `http://127.0.0.1:${port}`;
        return startServer(['--role', 'all'], {
          ...shared,
          DATA_DIR: path.join(root, node),
          PORT: String(port),
          PUBLIC_URL: base[node],
          COLLECT_OCR: 'off',
          VERIFY_RATE_PER_SECOND: '1000',
          VERIFY_DAILY_QUOTA: '1000',
        });
      }),
    );
    for (const s of starts) if (s.status === 'fulfilled') served.push(s.value);
    for (const s of starts) if (s.status === 'rejected') throw s.reason;
    const tokenOf = (created: { app: { app_id: string }; appSecret: string }) =>
      fetchToken(base.A, { appId: created.app.app_id, appSecret: created.appSecret });
    token = await tokenOf(app);
    sellerToken = await tokenOf(sellerApp);
  });

  afterAll(async () => {
    for (const c of clients) c.ws.terminate();
    for (const s of served) if (s.child.exitCode === null) await s.stop('SIGKILL');
    await runtime?.close();
    await created?.cleanup();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  const recordOne = (n: number) => record({ runtime, clock: runtime.deps.clock }, event, n);

  /** JSON over HTTP to a node, with the given headers; answers status and parsed body. */
  const call = async (
    url: string,
    init: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
  ) => {
    const res = await fetch(url, {
      method: init.method ?? 'GET',
      headers: {
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(init.headers ?? {}),
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, text, json: () => JSON.parse(text) as Record<string, unknown> };
  };

  it("the employee's 导入单据 on B (the page API) reaches the WebSocket on A, once", async () => {
    const bearer = { authorization: `Bearer ${token}` };
    expect(
      (
        await call(`${base.B}/api/v1/business-systems`, {
          method: 'POST',
          headers: bearer,
          body: { code: 'OA', name: '报销系统' },
        })
      ).status,
    ).toBe(201);
    const pageLink = 'page-link-1';
    const created = await call(`${base.B}/api/v1/assistant/events`, {
      method: 'POST',
      headers: bearer,
      body: {
        billId: 'BX-nodes-1',
        resource: 'OA',
        userId: 'zhang.san',
        linkKey: pageLink,
        pushType: 'socket',
        companyInfo: [buyer],
      },
    });
    expect(created.status, created.text).toBe(201);
    const eventCode = created.json().eventCode as string;
    // The socket on A first: the import comes later, from B.
    const c = await connect(base.A, `linkKey=${pageLink}&access_token=${token}`);
    clients.push(c);

    // The employee's invoice: issued by the seller on the sandbox, its XML uploaded on B's select page.
    const issued = await call(`${base.B}/api/v1/invoices?wait=10`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sellerToken}` },
      body: blueRequest({ sellerTaxId } as never, { buyer: { name: buyer.name, taxId: buyer.taxNo } }),
    });
    expect(issued.status, issued.text).toBeLessThan(300);
    expect(issued.json().status).toBe('issued');
    const xml = await fetch(`${base.B}/api/v1/invoices/${issued.json().serialNo as string}/files/xml`, {
      headers: { authorization: `Bearer ${sellerToken}` },
    });
    expect(xml.status).toBe(200);
    const upload = multipart([{ name: 'file', filename: 'invoice.xml', data: Buffer.from(await xml.arrayBuffer()) }]);
    const uploaded = await fetch(`${base.B}/api/v1/assistant/page/files`, {
      method: 'POST',
      headers: { ...upload.headers, 'x-event-code': eventCode },
      body: upload.payload,
    });
    const uploadedText = await uploaded.text();
    expect(uploaded.status, uploadedText).toBe(201);
    const invoiceId = (JSON.parse(uploadedText) as { items: { id: string }[] }).items[0]!.id;
    // The page re-reads the item until B's (or A's) jobs verified and checked it.
    const page = { 'x-event-code': eventCode };
    let check: { importable: boolean; level: string } | undefined;
    for (let i = 0; i < 600 && (check === undefined || check.level === 'pending'); i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 100));
      const items = await call(`${base.B}/api/v1/assistant/page/items?ids=${invoiceId}`, { headers: page });
      check = (items.json().items as { check: { importable: boolean; level: string } }[])[0]?.check;
    }
    expect(check).toMatchObject({ importable: true });

    // 导入单据, on B.
    const imported = await call(`${base.B}/api/v1/assistant/page/import`, {
      method: 'POST',
      headers: page,
      body: { invoices: [{ invoiceId, amount: '100.00' }] },
    });
    expect(imported.status, imported.text).toBe(201);
    const importId = imported.json().importId as string;
    const [message] = await c.received(1);
    expect(message).toMatchObject({ importId, billId: 'BX-nodes-1', linkKey: pageLink });
    // Consumed by A's socket: a poll on B finds nothing, and the socket got nothing else.
    expect((await poll(base.B, token, pageLink)).body).toEqual({ imports: [] });
    expect(c.messages).toHaveLength(1);
    const row = await runtime.deps.db.kysely
      .selectFrom('assistant_imports')
      .select('consumed_by')
      .where('id', '=', importId)
      .executeTakeFirstOrThrow();
    expect(row.consumed_by).toMatch(new RegExp(`^socket:[^:]+:${served[0]!.child.pid}:`));
  });

  it('a WebSocket on A receives an import recorded by another node, once', async () => {
    const c = await connect(base.A, `linkKey=${linkKey}&access_token=${token}`);
    clients.push(c);
    const id = await recordOne(1);
    expect((await c.received(1)).map((m) => m.importId)).toEqual([id]);
    // Consumed: B's poll finds nothing.
    expect((await poll(base.B, token, linkKey)).body).toEqual({ imports: [] });
  });

  it('the WebSocket on A and long-polls on B racing: each import exactly once', async () => {
    const c = clients[1]!;
    const before = c.messages.length;
    const total = 30;
    const polled: string[] = [];
    let recording = true;
    const delivered = () => polled.length + c.messages.length - before;
    const pollers = [0, 1].map(async () => {
      while (recording || delivered() < total) {
        const res = await poll(base.B, token, linkKey, 2);
        expect(res.status).toBe(200);
        polled.push(...(res.body.imports ?? []).map((i) => i.importId));
      }
    });
    const ids: string[] = [];
    for (let i = 0; i < total; i++) ids.push(await recordOne(100 + i));
    recording = false;
    await Promise.all(pollers);
    const all = [...polled, ...c.messages.slice(before).map((m) => m.importId)];
    expect(all.length).toBe(total);
    expect(new Set(all)).toEqual(new Set(ids));
  });

  it('SIGTERM on A closes its sockets with 1001 (going away)', async () => {
    await served[0]!.stop('SIGTERM');
    for (const c of clients) expect((await c.closed).code).toBe(1001);
  });
});
