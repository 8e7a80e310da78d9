/**
 * Issue #12's statement economy on the scan path, counted (not timed), on PostgreSQL: a warm order push is ONE
 * statement, and a warm `POST /api/v1/scan/orders?wait=10` with the buyer's title on an `issue` setting — the push,
 * the `scan/issue-order` job, the invoice's issue job (channel, files, `invoice.issued`), `scan/invoice-settled`
 * (the order invoiced, `order.invoiced`) and the `?wait` answer with its PDF — stays within its budget. The counts are
 * exact here (one order, nothing else running, every job dispatched straight to the in-process worker: no claim).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker, type Worker } from '../../src/platform/jobs/index.js';
import { countSqliteStatements, countStatements } from '../helpers/statement-count.js';
import { buildTestApp, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { COMPANY_TITLE, createScanSetting, orderBody, post, SCAN_ENV } from './scan-kit.js';

const PUSH_BUDGET = { statements: 1, commits: 1 };
const E2E_BUDGET = { statements: 17, commits: 7 };

const postgres = TEST_DIALECTS.find((d) => d.name === 'postgres');
const sqlite = TEST_DIALECTS.find((d) => d.name === 'sqlite');
const buyer = { name: COMPANY_TITLE.name, taxId: COMPANY_TITLE.taxId };

describe.skipIf(!postgres || postgres.skip)('postgres: statements per scan order (issue #12)', () => {
  let t: TestApp;
  let a: SeededTenant;
  let worker: Worker;
  let key: string;

  beforeAll(async () => {
    t = await buildTestApp(postgres as NonNullable<typeof postgres>, SCAN_ENV);
    a = await seedTenant(t, 'scan-budget');
    // A started worker as `serve` runs one, polling rarely: an idle poll in the window would be counted.
    worker = createWorker({
      db: t.runtime.deps.db,
      registry: t.runtime.deps.jobs.registry,
      config: { ...t.config.jobs, pollIntervalMs: 60_000 },
      logger: t.runtime.deps.logger,
      clock: t.clock,
    });
    t.runtime.deps.jobs.attachWorker(worker);
    worker.start();
    key = (await createScanSetting(t, a, { scanType: 'issue' })).key;
    // Warm: caches (token, setting, seller, binding, business systems, sandbox settings), prepared statements, listener.
    for (let i = 0; i < 2; i++) {
      expect((await post(t, a, '/api/v1/scan/orders', orderBody(key))).statusCode).toBe(201);
      const warm = await post(t, a, '/api/v1/scan/orders?wait=10', orderBody(key, { buyer }));
      expect(warm.json().status).toBe('invoiced');
    }
  });
  afterAll(async () => {
    await worker?.stop();
    await t?.close();
  });

  it(`pushes a warm order in ${PUSH_BUDGET.statements} statement`, async () => {
    const counted = await countStatements(async () => {
      const res = await post(t, a, '/api/v1/scan/orders', orderBody(key));
      expect(res.statusCode).toBe(201);
    });
    const { texts, commits } = counted;
    expect(texts.length, texts.join('\n---\n')).toBeLessThanOrEqual(PUSH_BUDGET.statements);
    expect(commits, texts.join('\n---\n')).toBeLessThanOrEqual(PUSH_BUDGET.commits);
  });

  it(`invoices a warm order end to end in ≤ ${E2E_BUDGET.statements} statements and ≤ ${E2E_BUDGET.commits} commits`, async () => {
    const body = orderBody(key, { buyer });
    let answer: Record<string, unknown> = {};
    const counted = await countStatements(async () => {
      const res = await post(t, a, '/api/v1/scan/orders?wait=10', body);
      expect(res.statusCode).toBe(201);
      answer = res.json();
      // Whatever the jobs still do after the answer (nothing, when each completes in its last transaction).
      await new Promise((r) => setTimeout(r, 300));
    });
    expect(answer.status).toBe('invoiced');
    const { texts, commits } = counted;
    expect(texts.length, texts.join('\n---\n')).toBeLessThanOrEqual(E2E_BUDGET.statements);
    expect(commits, texts.join('\n---\n')).toBeLessThanOrEqual(E2E_BUDGET.commits);
    // What keeps it there: no claim (every job dispatched), no read of the order before moving or invoicing it, no read
    // of the invoice by its issue job or by scan/invoice-settled, no pg_notify of its own.
    expect(texts.filter((s) => /"due" as materialized/.test(s))).toEqual([]);
    expect(texts.filter((s) => /^select \* from "scan_orders" where "id" = \$1$/.test(s))).toHaveLength(1);
    expect(texts.filter((s) => /^select \* from "invoices"/.test(s))).toEqual([]);
    expect(texts.filter((s) => /^\s*select pg_notify/i.test(s))).toEqual([]);
    // Every job of the order finished, each once.
    const db = t.runtime.deps.db.kysely;
    const order = await db
      .selectFrom('scan_orders')
      .select(['id', 'status', 'invoice_id'])
      .where('order_no', '=', body.orderNo)
      .executeTakeFirstOrThrow();
    expect(order.status).toBe('invoiced');
    const jobs = await db
      .selectFrom('jobs')
      .select(['task', 'state', 'attempts'])
      .where((eb) => eb.or([eb('payload', 'like', `%${order.id}%`), eb('payload', 'like', `%${order.invoice_id}%`)]))
      .orderBy('task')
      .execute();
    expect(jobs).toEqual([
      { task: 'invoicing/issue-invoice', state: 'succeeded', attempts: 1 },
      { task: 'scan/invoice-settled', state: 'succeeded', attempts: 1 },
      { task: 'scan/issue-order', state: 'succeeded', attempts: 1 },
    ]);
  });
});

describe.skipIf(!sqlite || sqlite.skip)('sqlite: order pushes that arrive together commit together (issue #12)', () => {
  let t: TestApp;
  let a: SeededTenant;
  let key: string;

  beforeAll(async () => {
    t = await buildTestApp(sqlite as NonNullable<typeof sqlite>, SCAN_ENV);
    a = await seedTenant(t, 'scan-batch');
    key = (await createScanSetting(t, a, { scanType: 'issue' })).key;
    // Warm: the token, the setting, the seller; the audit window's sealer scheduled (the first push schedules it).
    for (let i = 0; i < 2; i++) expect((await post(t, a, '/api/v1/scan/orders', orderBody(key))).statusCode).toBe(201);
  });
  afterAll(async () => t?.close());

  it('writes eight concurrent pushes, each with its audit entry, in one transaction', async () => {
    const bodies = Array.from({ length: 8 }, () => orderBody(key));
    let links: string[] = [];
    const texts = await countSqliteStatements(async () => {
      const answers = await Promise.all(bodies.map((body) => post(t, a, '/api/v1/scan/orders', body)));
      expect(answers.map((r) => r.statusCode)).toEqual(bodies.map(() => 201));
      links = answers.map((r) => r.json().url as string);
    });
    expect(new Set(links).size).toBe(8);
    const writes = texts.filter((s) => /^(begin|commit|rollback|insert|update|delete)\b/i.test(s.trimStart()));
    expect(writes.filter((s) => /^(begin|commit|rollback)$/.test(s))).toEqual(['begin', 'commit']);
    expect(writes.filter((s) => /^insert into "scan_orders"/.test(s))).toHaveLength(8);
    expect(writes.filter((s) => /^insert into "audit_log"/.test(s))).toHaveLength(8);
    const db = t.runtime.deps.db.kysely;
    const orderNos = bodies.map((b) => b.orderNo as string);
    const orders = await db
      .selectFrom('scan_orders')
      .select(['order_no', 'status'])
      .where('order_no', 'in', orderNos)
      .execute();
    expect(orders.map((o) => o.status)).toEqual(bodies.map(() => 'open'));
    const entries = await db
      .selectFrom('audit_log')
      .select('target_id')
      .where('action', '=', 'scan.orders.create')
      .where('target_id', 'in', orderNos)
      .execute();
    expect(entries.map((e) => e.target_id).sort()).toEqual([...orderNos].sort());
  });
});
