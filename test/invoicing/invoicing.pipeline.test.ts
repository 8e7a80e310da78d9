import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelIssueRequest } from '../../src/modules/channels/index.js';
import { issuedFilesRenderer, registerIssuedFilesRenderer } from '../../src/modules/invoicing/issued-files.js';
import { createWorker, type Worker } from '../../src/platform/jobs/index.js';
import { buildTestApp, errorOf, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { deferred } from '../jobs/jobs-test-kit.js';
import { blueRequest, get, post } from './invoicing-kit.js';

/** The issue pipeline's commits: no `issuing` write on the happy path, cancel against the issue job. */
for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: the issue pipeline`, () => {
    let t: TestApp;
    let a: SeededTenant;
    let worker: () => Worker;
    /** What the channel sees during `issue` (set per test), and the invoice's stored status at that moment. */
    let duringIssue: ((request: ChannelIssueRequest) => Promise<void>) | undefined;

    beforeAll(async () => {
      // No background worker: each test runs the queue itself.
      t = await buildTestApp(dialect);
      a = await seedTenant(t, 'A');
      const deps = t.runtime.deps;
      const issue = deps.channel.issue.bind(deps.channel);
      deps.channel.issue = async (request) => {
        await duringIssue?.(request);
        return issue(request);
      };
      worker = () =>
        createWorker({
          db: deps.db,
          registry: deps.jobs.registry,
          config: { ...t.config.jobs, pollIntervalMs: 20, concurrency: 4 },
          logger: deps.logger,
          clock: t.clock,
          backoff: () => 0,
        });
    });
    afterAll(async () => t?.close());

    /** The stored status of the invoice a channel request id (`{invoiceId}-r{channelRevision}`) names. */
    const statusOf = async (requestId: string) =>
      (
        await t.runtime.deps.db.kysely
          .selectFrom('invoices')
          .select('status')
          .where('id', '=', requestId.slice(0, requestId.lastIndexOf('-r')))
          .executeTakeFirstOrThrow()
      ).status;

    it('goes pending → issued with no issuing commit, and completes the job in the same transaction', async () => {
      const seen: string[] = [];
      duringIssue = async (request) => {
        seen.push(await statusOf(request.requestId));
      };
      const req = blueRequest(a);
      expect((await post(t, a, '/api/v1/invoices', req)).json().status).toBe('pending');
      try {
        while ((await worker().runOnce()) > 0);
      } finally {
        duringIssue = undefined;
      }
      expect(seen).toEqual(['pending']);
      const issued = (await get(t, a, `/api/v1/invoices/${req.serialNo}`)).json();
      expect(issued.status).toBe('issued');
      const job = await t.runtime.deps.db.kysely
        .selectFrom('jobs')
        .selectAll()
        .where('task', '=', 'invoicing/issue-invoice')
        .where('payload', 'like', `%${(await invoiceId(req.serialNo)) ?? 'none'}%`)
        .executeTakeFirstOrThrow();
      expect(job).toMatchObject({ state: 'succeeded', attempts: 1, locked_by: null, last_error: null });
      // The files were recorded with the issued invoice: no render job was needed.
      const id = (await invoiceId(req.serialNo))!;
      expect(await documentFormats(id)).toEqual(['ofd', 'pdf', 'xml']);
      expect(await renderJobs(id)).toEqual([]);
      expect((await get(t, a, `/api/v1/invoices/${req.serialNo}/files/pdf`)).statusCode).toBe(200);
    });

    it('falls back to the render job when rendering in the issue job fails: issued first, files later', async () => {
      const documents = issuedFilesRenderer();
      expect(documents).toBeDefined();
      registerIssuedFilesRenderer(async () => {
        throw new Error('render threads unavailable');
      });
      const req = blueRequest(a);
      await post(t, a, '/api/v1/invoices', req);
      try {
        expect(await worker().runOnce()).toBe(1);
      } finally {
        if (documents) registerIssuedFilesRenderer(documents);
      }
      const id = (await invoiceId(req.serialNo))!;
      expect((await get(t, a, `/api/v1/invoices/${req.serialNo}`)).json().status).toBe('issued');
      expect(await documentFormats(id)).toEqual([]);
      expect(await renderJobs(id)).toEqual(['queued']);
      while ((await worker().runOnce()) > 0);
      expect(await renderJobs(id)).toEqual(['succeeded']);
      expect(await documentFormats(id)).toEqual(['ofd', 'pdf', 'xml']);
    });

    it('cancels a pending request with its queued job: the job never runs and the channel never sees it', async () => {
      const req = blueRequest(a, { buyer: { name: '撤销排队测试有限公司', taxId: '91110000600037341L' } });
      await post(t, a, '/api/v1/invoices', req);
      const cancelled = await post(t, a, `/api/v1/invoices/${req.serialNo}/cancel`);
      expect(cancelled.statusCode).toBe(200);
      expect(cancelled.json().status).toBe('cancelled');
      const id = await invoiceId(req.serialNo);
      const job = await t.runtime.deps.db.kysely
        .selectFrom('jobs')
        .select(['state', 'attempts'])
        .where('payload', 'like', `%${id}%`)
        .executeTakeFirstOrThrow();
      expect(job).toEqual({ state: 'cancelled', attempts: 0 });
      while ((await worker().runOnce()) > 0);
      expect((await get(t, a, `/api/v1/invoices/${req.serialNo}`)).json().status).toBe('cancelled');
      const ledger = (await get(t, a, '/api/v1/sandbox/ledger?limit=200')).json().items as { buyerName: string }[];
      expect(ledger.filter((e) => e.buyerName === '撤销排队测试有限公司')).toEqual([]);
    });

    it('refuses to cancel a pending request whose issue job is running (the channel may be answering)', async () => {
      const inChannel = deferred();
      const answer = deferred();
      duringIssue = async () => {
        inChannel.resolve();
        await answer.promise;
      };
      const req = blueRequest(a, { buyer: { name: '撤销运行测试有限公司', taxId: '91110000600037341L' } });
      await post(t, a, '/api/v1/invoices', req);
      const run = worker().runOnce();
      try {
        await inChannel.promise;
        const refused = await post(t, a, `/api/v1/invoices/${req.serialNo}/cancel`);
        expect(refused.statusCode).toBe(409);
        expect(errorOf(refused)).toMatchObject({
          code: 'INVOICE_NOT_CANCELLABLE',
          details: { status: 'pending', issueStarted: true },
        });
        expect((await get(t, a, `/api/v1/invoices/${req.serialNo}`)).json().status).toBe('pending');
      } finally {
        answer.resolve();
        duringIssue = undefined;
        await run;
      }
      expect((await get(t, a, `/api/v1/invoices/${req.serialNo}`)).json().status).toBe('issued');
    });

    async function documentFormats(id: string): Promise<string[]> {
      const rows = await t.runtime.deps.db.kysely
        .selectFrom('invoice_documents')
        .select('format')
        .where('invoice_id', '=', id)
        .orderBy('format')
        .execute();
      return rows.map((r) => r.format);
    }

    async function renderJobs(id: string): Promise<string[]> {
      const rows = await t.runtime.deps.db.kysely
        .selectFrom('jobs')
        .select('state')
        .where('job_key', '=', `documents/render-invoice:${id}`)
        .execute();
      return rows.map((r) => r.state);
    }

    async function invoiceId(serialNo: string): Promise<string | undefined> {
      const row = await t.runtime.deps.db.kysely
        .selectFrom('invoices')
        .select('id')
        .where('tenant_id', '=', a.tenantId)
        .where('serial_no', '=', serialNo)
        .executeTakeFirst();
      return row?.id;
    }
  });
}
