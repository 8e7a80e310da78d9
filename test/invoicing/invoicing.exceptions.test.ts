import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInvoice } from '../../src/modules/invoicing/create-invoice.js';
import { issuedFilesRenderer, registerIssuedFilesRenderer } from '../../src/modules/invoicing/issued-files.js';
import { buildChannelRequest, runIssueInvoice } from '../../src/modules/invoicing/tasks/issue-invoice.task.js';
import type { Deps } from '../../src/platform/deps.js';
import type { Job, TaskHelpers } from '../../src/platform/jobs/index.js';
import { buildTestApp, errorOf, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { blueRequest, get, post, waitForStatus } from './invoicing-kit.js';

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: channel failures, exceptions and retry`, () => {
    let t: TestApp;
    let a: SeededTenant;

    const settings = (body: unknown) =>
      t.app.inject({ method: 'PUT', url: '/api/v1/sandbox/settings', headers: a.auth, payload: body as object });

    beforeAll(async () => {
      t = await buildTestApp(dialect, {}, undefined, { worker: true });
      a = await seedTenant(t, 'A');
    });
    afterAll(async () => t?.close());

    it('recovers from transient channel failures by retrying', async () => {
      expect(
        (await settings({ rules: [{ when: { buyerNameContains: '暂时故障' }, fail: 'transient', times: 2 }] }))
          .statusCode,
      ).toBe(200);
      const req = blueRequest(a, { buyer: { name: '暂时故障测试有限公司', taxId: '91110000600037341L' } });
      await post(t, a, '/api/v1/invoices', req);
      const inv = await waitForStatus(t, a, req.serialNo, (s) => s === 'issued' || s === 'failed');
      expect(inv.status).toBe('issued');
      expect(inv.failure).toBeNull();
      const jobs = (await get(t, a, '/api/v1/jobs?task=invoicing/issue-invoice&limit=200')).json().items as {
        attempts: number;
        state: string;
      }[];
      expect(jobs.some((j) => j.attempts === 3 && j.state === 'succeeded')).toBe(true);
    });

    it('keeps one invoice number when the channel recorded the invoice but the answer was lost', async () => {
      await settings({ rules: [{ when: { buyerNameContains: '答复丢失' }, fail: 'timeout_after_commit', times: 1 }] });
      const req = blueRequest(a, { buyer: { name: '答复丢失测试有限公司', taxId: '91110000600037341L' } });
      await post(t, a, '/api/v1/invoices', req);
      const inv = await waitForStatus(t, a, req.serialNo, (s) => s === 'issued' || s === 'failed');
      expect(inv.status).toBe('issued');
      const ledger = (await get(t, a, `/api/v1/sandbox/ledger?limit=200`)).json().items as {
        number: string;
        buyerName: string;
      }[];
      expect(ledger.filter((e) => e.buyerName === '答复丢失测试有限公司').map((e) => e.number)).toEqual([inv.number]);
    });

    it('fails permanently, shows in the monitor, and issues after PATCH + retry', async () => {
      await settings({
        rules: [
          {
            when: { buyerNameContains: '错误抬头' },
            fail: 'permanent',
            code: 'BUYER_NAME_REJECTED',
            message: '购买方名称与税号不匹配',
          },
        ],
      });
      const req = blueRequest(a, { buyer: { name: '错误抬头有限公司', taxId: '91110000600037341L' } });
      await post(t, a, '/api/v1/invoices', req);
      const failed = await waitForStatus(t, a, req.serialNo, (s) => s === 'failed' || s === 'issued');
      expect(failed).toMatchObject({
        status: 'failed',
        failure: { code: 'BUYER_NAME_REJECTED', reason: '购买方名称与税号不匹配' },
      });

      const monitor = (await get(t, a, '/api/v1/invoice-monitor')).json();
      expect(monitor.failed.map((f: { serialNo: string }) => f.serialNo)).toContain(req.serialNo);
      expect(monitor.failureCodes).toEqual(
        expect.arrayContaining([{ code: 'BUYER_NAME_REJECTED', count: expect.any(Number) }]),
      );

      const notYet = await post(t, a, `/api/v1/invoices/${req.serialNo}/retry`);
      expect(notYet.statusCode).toBe(200); // retrying unchanged data is allowed; it fails the same way
      await waitForStatus(t, a, req.serialNo, (s) => s === 'failed');

      const patched = await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/invoices/${req.serialNo}`,
        headers: a.auth,
        payload: { buyer: { name: '正确抬头有限公司', taxId: '91110000600037341L' } },
      });
      expect(patched.statusCode, patched.body).toBe(200);
      expect(patched.json()).toMatchObject({ status: 'failed', buyer: { name: '正确抬头有限公司' } });
      const badPatch = await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/invoices/${req.serialNo}`,
        headers: a.auth,
        payload: { lines: [{ name: '餐', taxCode: '3070401000000000000', amount: '10.00', taxRate: '0.07' }] },
      });
      expect(errorOf(badPatch).code).toBe('TAX_RATE_NOT_ALLOWED');

      const retried = await post(t, a, `/api/v1/invoices/${req.serialNo}/retry?wait=10`);
      expect(retried.statusCode).toBe(200);
      expect(retried.json()).toMatchObject({ status: 'issued', failure: null, buyer: { name: '正确抬头有限公司' } });
      expect(errorOf(await post(t, a, `/api/v1/invoices/${req.serialNo}/retry`)).code).toBe('INVOICE_NOT_RETRYABLE');
      const editIssued = await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/invoices/${req.serialNo}`,
        headers: a.auth,
        payload: { remark: 'x' },
      });
      expect(errorOf(editIssued).code).toBe('INVOICE_NOT_EDITABLE');
    });

    it('fails with QUOTA_EXCEEDED when the monthly credit quota is used up', async () => {
      await settings({ rules: [] });
      const month = '2025-06';
      const quota = (await get(t, a, `/api/v1/sandbox/quotas/${a.sellerTaxId}?month=${month}`)).json();
      const put = await t.app.inject({
        method: 'PUT',
        url: `/api/v1/sandbox/quotas/${a.sellerTaxId}`,
        headers: a.auth,
        payload: { total: (Number(quota.used) + 2500).toFixed(2), month },
      });
      expect(put.statusCode, put.body).toBe(200);
      const first = blueRequest(a);
      expect((await post(t, a, '/api/v1/invoices?wait=10', first)).json().status).toBe('issued');
      const second = blueRequest(a);
      const res = (await post(t, a, '/api/v1/invoices?wait=10', second)).json();
      expect(res).toMatchObject({ status: 'failed', failure: { code: 'QUOTA_EXCEEDED' } });
      await t.app.inject({
        method: 'PUT',
        url: `/api/v1/sandbox/quotas/${a.sellerTaxId}`,
        headers: a.auth,
        payload: { total: '100000000.00', month },
      });
      expect((await post(t, a, `/api/v1/invoices/${second.serialNo}/retry?wait=10`)).json().status).toBe('issued');
    });

    it('never fails a request the channel issued when our commit fails on the last attempt', async () => {
      await settings({ rules: [] });
      const deps = t.runtime.deps;
      // Stored without its issue job, so this test runs the task itself.
      // The request is stored without a job of its own to run: on SQLite none is inserted; on PostgreSQL (the job is
      // part of the invoice's insert) it is inserted due tomorrow, not dispatched, and deleted below — else it would
      // issue the invoice itself, racing the sweep this test is about.
      const noJobs: Deps = {
        ...deps,
        jobs: {
          ...deps.jobs,
          enqueue: async () => ({ id: 'none', created: true }),
          enqueueAfterRow: (after, task, payload, options) =>
            deps.jobs.enqueueAfterRow(after, task, payload, { ...options, runAt: t.clock.now() + 86_400_000 }),
          reserve: () => null,
          notify: () => {},
        },
      };
      const req = blueRequest(a, { buyer: { name: '提交失败测试有限公司', taxId: '91110000600037341L' } });
      const { serialNo, ...data } = req;
      const { invoice } = await createInvoice(noJobs, {
        tenantId: a.tenantId,
        origin: 'direct',
        serialNo,
        data: data as never,
      });
      const helpers = {
        job: { attempts: 12, max_attempts: 12 } as Job,
        logger: pino({ level: 'silent' }),
        signal: new AbortController().signal,
        heartbeat: async () => {},
        complete: async () => {},
      } satisfies TaskHelpers;
      // The final transaction (invoice issued + its files + event + job completion) fails after the channel answered.
      const documents = issuedFilesRenderer();
      expect(documents).toBeDefined();
      registerIssuedFilesRenderer(async () => async () => {
        throw new Error('database went away');
      });
      try {
        await expect(runIssueInvoice(deps, invoice.id, helpers)).rejects.toThrow('database went away');
      } finally {
        if (documents) registerIssuedFilesRenderer(documents);
      }
      // Nothing was written before the channel call and the final transaction rolled back: still pending.
      expect((await get(t, a, `/api/v1/invoices/${serialNo}`)).json().status).toBe('pending');
      await runIssueInvoice(deps, invoice.id, helpers);
      const issued = (await get(t, a, `/api/v1/invoices/${serialNo}`)).json();
      expect(issued.status).toBe('issued');
      const ledger = (await get(t, a, `/api/v1/sandbox/ledger?limit=200`)).json().items as {
        number: string;
        buyerName: string;
      }[];
      expect(ledger.filter((e) => e.buyerName === '提交失败测试有限公司').map((e) => e.number)).toEqual([
        issued.number,
      ]);
    });

    it('asks the channel before failing on the last attempt: a recorded invoice with a lost answer is issued once', async () => {
      // Every call records the invoice and then "times out": only the last attempt's query under the same request
      // id can tell that it was issued.
      await settings({ rules: [{ when: { buyerNameContains: '一直超时' }, fail: 'timeout_after_commit' }] });
      const req = blueRequest(a, { buyer: { name: '一直超时有限公司', taxId: '91110000600037341L' } });
      await post(t, a, '/api/v1/invoices', req);
      const inv = await waitForStatus(t, a, req.serialNo, (s) => s === 'issued' || s === 'failed');
      expect(inv).toMatchObject({ status: 'issued', failure: null });
      const ledger = (await get(t, a, '/api/v1/sandbox/ledger?limit=200')).json().items as {
        number: string;
        buyerName: string;
      }[];
      expect(ledger.filter((e) => e.buyerName === '一直超时有限公司').map((e) => e.number)).toEqual([inv.number]);
    });

    it('fails after the last transient attempt when the channel never recorded it; a retry then issues once', async () => {
      await settings({ rules: [{ when: { buyerNameContains: '通道故障' }, fail: 'transient' }] });
      const req = blueRequest(a, { buyer: { name: '通道故障有限公司', taxId: '91110000600037341L' } });
      await post(t, a, '/api/v1/invoices', req);
      const failed = await waitForStatus(t, a, req.serialNo, (s) => s === 'issued' || s === 'failed');
      expect(failed).toMatchObject({ status: 'failed', failure: { code: 'CHANNEL_UNAVAILABLE' } });
      await settings({ rules: [] });
      const retried = (await post(t, a, `/api/v1/invoices/${req.serialNo}/retry?wait=10`)).json();
      expect(retried.status).toBe('issued');
      const ledger = (await get(t, a, '/api/v1/sandbox/ledger?limit=200')).json().items as {
        number: string;
        buyerName: string;
      }[];
      expect(ledger.filter((e) => e.buyerName === '通道故障有限公司').map((e) => e.number)).toEqual([retried.number]);
    });

    it('settles a request whose worker crashed on the last attempt after the channel issued it', async () => {
      await settings({ rules: [] });
      const deps = t.runtime.deps;
      const noJobs: Deps = {
        ...deps,
        jobs: { ...deps.jobs, enqueue: async () => ({ id: 'none', created: true }), notify: () => {} },
      };
      const req = blueRequest(a, { buyer: { name: '崩溃恢复测试有限公司', taxId: '91110000600037341L' } });
      const { serialNo, ...data } = req;
      const { invoice } = await createInvoice(noJobs, {
        tenantId: a.tenantId,
        origin: 'direct',
        serialNo,
        data: data as never,
      });
      const db = deps.db.kysely;
      await db.deleteFrom('jobs').where('payload', 'like', `%${invoice.id}%`).execute();
      // A worker claimed the job for the last time, got the channel's answer, and died before committing.
      await db.updateTable('invoices').set({ status: 'issuing' }).where('id', '=', invoice.id).execute();
      const stored = await db.selectFrom('invoices').selectAll().where('id', '=', invoice.id).executeTakeFirstOrThrow();
      const issued = await deps.channel.issue(await buildChannelRequest(deps, stored));
      const now = t.clock.now();
      await db
        .insertInto('jobs')
        .values({
          id: `job_crashed_${invoice.id}`,
          tenant_id: a.tenantId,
          task: 'invoicing/issue-invoice',
          payload: JSON.stringify({ invoiceId: invoice.id }),
          state: 'running',
          job_key: null,
          run_at: now - 60_000,
          attempts: 12,
          max_attempts: 12,
          last_error: null,
          locked_by: 'crashed-worker',
          locked_until: now - 1000,
          created_at: now - 60_000,
          updated_at: now - 60_000,
          finished_at: null,
        })
        .execute();
      t.clock.advance(2000); // the test worker's next sweep sees the expired lease
      try {
        deps.jobs.notify();
        const settled = await waitForStatus(t, a, serialNo, (s) => s === 'issued' || s === 'failed');
        expect(settled).toMatchObject({ status: 'issued', number: issued.number });
      } finally {
        t.clock.advance(-2000);
      }
      // The sweep sent the crashed job to dead (its onDead hook settled the invoice), and no other job ran for it.
      const jobs = await db
        .selectFrom('jobs')
        .select(['id', 'state'])
        .where('payload', 'like', `%${invoice.id}%`)
        .execute();
      expect(jobs).toEqual([{ id: `job_crashed_${invoice.id}`, state: 'dead' }]);
    });

    it('cancels a failed request but not an issued one', async () => {
      await settings({ rules: [{ when: { buyerNameContains: '待取消' }, fail: 'permanent' }] });
      const req = blueRequest(a, { buyer: { name: '待取消有限公司', taxId: '91110000600037341L' } });
      expect((await post(t, a, '/api/v1/invoices?wait=10', req)).json().status).toBe('failed');
      const cancelled = await post(t, a, `/api/v1/invoices/${req.serialNo}/cancel`);
      expect(cancelled.json().status).toBe('cancelled');
      expect(errorOf(await post(t, a, `/api/v1/invoices/${req.serialNo}/retry`)).code).toBe('INVOICE_NOT_RETRYABLE');
      await settings({ rules: [] });
      const issued = blueRequest(a);
      await post(t, a, '/api/v1/invoices?wait=10', issued);
      expect(errorOf(await post(t, a, `/api/v1/invoices/${issued.serialNo}/cancel`)).code).toBe(
        'INVOICE_NOT_CANCELLABLE',
      );
    });
  });
}
