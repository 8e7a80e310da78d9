/**
 * Issue #12's statement economy, counted (not timed): on PostgreSQL a warm `POST /api/v1/invoices?wait=10` — request,
 * issue job (channel, files, `invoice.issued`, the job's completion), the `?wait` answer — sends at most 12 statements
 * and 3 commits (8 today: the job starts from the row it was dispatched with instead of reading it back). The count is exact here (one invoice, nothing else running): the issue job is dispatched straight to
 * the in-process worker (no claim), the settled signal rides the transition's statement (no `select pg_notify`), the
 * waiter, watching since before the insert, reads once after the signal (the invoice and its reds in one statement).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker, type Worker } from '../../src/platform/jobs/index.js';
import { countStatements } from '../helpers/statement-count.js';
import { buildTestApp, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { blueRequest, post } from './invoicing-kit.js';

const BUDGET = { statements: 12, commits: 3 };

const postgres = TEST_DIALECTS.find((d) => d.name === 'postgres');

describe.skipIf(!postgres || postgres.skip)('postgres: statements per issued invoice (issue #12)', () => {
  let t: TestApp;
  let a: SeededTenant;
  let worker: Worker;

  beforeAll(async () => {
    t = await buildTestApp(postgres as NonNullable<typeof postgres>);
    a = await seedTenant(t, 'budget');
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
    // Warm: caches (token, seller, binding, business systems, sandbox settings), prepared statements, the listener.
    for (let i = 0; i < 2; i++) {
      const warm = await post(t, a, '/api/v1/invoices?wait=10', blueRequest(a));
      expect(warm.json().status).toBe('issued');
    }
  });
  afterAll(async () => {
    await worker?.stop();
    await t?.close();
  });

  it(`issues a warm invoice with files in ≤ ${BUDGET.statements} statements and ≤ ${BUDGET.commits} commits`, async () => {
    const req = blueRequest(a);
    let status = '';
    const counted = await countStatements(async () => {
      const res = await post(t, a, '/api/v1/invoices?wait=10', req);
      expect(res.statusCode).toBe(200);
      status = res.json().status;
    });
    expect(status).toBe('issued');
    const { texts, commits } = counted;
    expect(texts.length, texts.join('\n---\n')).toBeLessThanOrEqual(BUDGET.statements);
    expect(commits, texts.join('\n---\n')).toBeLessThanOrEqual(BUDGET.commits);
    // What keeps it there: no claim (direct dispatch), no pg_notify of its own, no separate reds read.
    expect(texts.filter((s) => /"due" as materialized/.test(s))).toEqual([]);
    expect(texts.filter((s) => /^\s*select pg_notify/i.test(s))).toEqual([]);
    expect(texts.filter((s) => /"blue_invoice_id" = \$\d+ order by/.test(s))).toEqual([]);
    // The issue job, dispatched with the row it was inserted with, does not read the invoice back (8 statements).
    expect(texts.filter((s) => /^select \* from "invoices" where "id" = \$1$/.test(s))).toEqual([]);
    expect(texts.length, texts.join('\n---\n')).toBe(8);
    // The job finished in the issued transaction, and the files are there.
    const db = t.runtime.deps.db.kysely;
    const { id } = await db
      .selectFrom('invoices')
      .select('id')
      .where('serial_no', '=', req.serialNo)
      .executeTakeFirstOrThrow();
    const job = await db
      .selectFrom('jobs')
      .select(['state', 'attempts'])
      .where('task', '=', 'invoicing/issue-invoice')
      .where('payload', 'like', `%${id}%`)
      .executeTakeFirstOrThrow();
    expect(job).toEqual({ state: 'succeeded', attempts: 1 });
    const files = await db
      .selectFrom('invoice_documents')
      .select('format')
      .where('invoice_id', '=', id)
      .orderBy('format')
      .execute();
    expect(files.map((f) => f.format)).toEqual(['ofd', 'pdf', 'xml']);
  });
});
