/**
 * Verification (查验) of received invoices on both dialects, through the public interface: items entered with the
 * real API, verified by the real jobs against the sandbox platform (every tenant's ledger + the operator's imports),
 * results read back through GET /api/v1/received-invoices/{id}; events observed by a task subscribed on the real bus.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runImportLedger } from '../../src/cli.js';
import { scheduleNightlyReverification } from '../../src/modules/collection/index.js';
import type { DomainEvent } from '../../src/platform/events.js';
import { createWorker, defineTask, type Worker } from '../../src/platform/jobs/index.js';
import { validDraft } from '../../src/tax/test-fixtures.js';
import {
  blueInvoice,
  computeInvoice,
  issueRequest,
  newTenant,
  redFormRequest,
  redInvoice,
  redLine,
} from '../channels/sandbox-kit.js';
import {
  buildTestApp,
  errorOf,
  refreshToken,
  type SeededTenant,
  seedTenant,
  type TestApp,
} from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';

/** The test app's clock starts at 2025-06-01 10:00 China time. */
const HOUR = 3_600_000;

interface ItemView {
  id: string;
  kind: string;
  buyerOrgId: string | null;
  duplicateOf: string | null;
  seller: { name: string | null; taxId: string | null };
  buyer: { name: string | null; taxId: string | null };
  totals: { amount: string | null; tax: string | null; total: string | null };
  lines: Array<{ name: string }>;
  extraction: { fieldSources: Record<string, string> };
  compliance: { result: string; findings: Array<{ rule: string; outcome: string; reason: string }> };
  verification: {
    status: string;
    checkedAt: string | null;
    history: Array<{ at: string; status: string; message: string; mismatchField?: string; channel: string }>;
  };
}

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: verification of received invoices`, () => {
    let t: TestApp;
    let b: SeededTenant;
    let c: SeededTenant;
    let worker: Worker;
    const events: DomainEvent[] = [];
    /** The platform tenant that issues the invoices B receives (tenant A of the issue). */
    const issuer = newTenant();

    beforeAll(async () => {
      t = await buildTestApp(dialect, { VERIFY_RATE_PER_SECOND: '1000', VERIFY_DAILY_QUOTA: '1000' }, (_app, rt) => {
        const recordEvent = defineTask({
          id: 'test/record-received-event',
          payload: Type.Object({ event: Type.Any() }),
          maxAttempts: 1,
          handler: async (_deps: unknown, payload: { event: DomainEvent }) => {
            events.push(payload.event);
          },
        });
        rt.deps.jobs.registry.register(null, [recordEvent]);
        rt.deps.events.subscribe(['received.verified', 'received.changed'], 'test/record-received-event' as never);
      });
      b = await seedTenant(t, 'B');
      c = await seedTenant(t, 'C');
      worker = createWorker({
        db: t.runtime.deps.db,
        registry: t.runtime.deps.jobs.registry,
        config: { ...t.config.jobs, concurrency: 4 },
        logger: t.runtime.deps.logger,
        clock: t.clock,
        backoff: () => 0,
      });
    });
    afterAll(async () => t?.close());

    const drain = async () => {
      while ((await worker.runOnce()) > 0);
    };
    const sandbox = () => {
      const s = t.runtime.sandbox;
      if (!s) throw new Error('sandbox expected');
      return s;
    };
    /** Issues a blue 数电专票 on the platform as another tenant. */
    const issueOnPlatform = async (amounts = ['100.00', '200.00']) => {
      const invoice = blueInvoice(amounts);
      const issued = await sandbox().issue(issueRequest(issuer, invoice));
      return { ...issued, invoice };
    };
    const reverse = async (
      blue: Awaited<ReturnType<typeof issueOnPlatform>>,
      lineNo: number,
      amount: string,
      tax: string,
    ) => {
      const form = await sandbox().applyRedForm(
        redFormRequest(issuer, blue, '02', [redLine(lineNo, amount, tax)], { amount, tax }),
      );
      await sandbox().issue(
        issueRequest(issuer, redInvoice(blue.number, [amount]), {
          red: { blueNumber: blue.number, redFormId: form.id, redFormNo: form.formNo },
        }),
      );
    };
    const enter = async (who: SeededTenant, payload: Record<string, string>): Promise<ItemView> => {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/received-invoices', headers: who.auth, payload });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().items[0];
    };
    const item = async (who: SeededTenant, id: string): Promise<ItemView> => {
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/received-invoices/${id}`, headers: who.auth });
      expect(res.statusCode).toBe(200);
      return res.json();
    };
    const reverify = (who: SeededTenant, id: string) =>
      t.app.inject({ method: 'POST', url: `/api/v1/received-invoices/${id}/verify`, headers: who.auth });
    /**
     * Moves the clock forward (never back: the provider's rate is counted on it) and runs what is due then; the API
     * apps get fresh tokens (they live two hours).
     */
    const drainAt = async (iso: string, before?: () => Promise<void>) => {
      const at = Date.parse(iso);
      expect(at).toBeGreaterThanOrEqual(t.clock.now());
      t.clock.set(at);
      await before?.();
      await drain();
      for (const who of [b, c]) await refreshToken(t, who);
    };
    /** Today in China time (the sandbox issues with the clock's date). */
    const today = () => new Date(t.clock.now() + 8 * HOUR).toISOString().slice(0, 10);
    /** The next China day, YYYY-MM-DD. */
    const nextDayIso = () => new Date(Date.parse(`${today()}T00:00:00Z`) + 24 * HOUR).toISOString().slice(0, 10);
    const eventsOf = (id: string, type: string) => events.filter((e) => e.subjectId === id && e.type === type);

    it('verifies after intake an invoice another tenant issued: 正常, fields filled from the platform, history, event', async () => {
      const blue = await issueOnPlatform();
      const entered = await enter(b, { number: blue.number, issueDate: today(), total: '318.00' });
      expect(entered.verification.status).toBe('pending');
      expect(entered.seller.taxId).toBeNull();
      await drain();
      const view = await item(b, entered.id);
      expect(view.kind).toBe('81');
      expect(view.compliance.findings.find((f) => f.rule === 'verification')).toMatchObject({ outcome: 'pass' });
      expect(view.verification).toMatchObject({
        status: 'normal',
        checkedAt: '2025-06-01T10:00:00.000+08:00',
        history: [{ status: 'normal', message: '查验一致，发票状态正常', channel: 'sandbox' }],
      });
      expect(view.seller).toEqual({
        name: '示例销售方有限公司',
        taxId: blue.invoice.seller?.taxId ?? expect.any(String),
      });
      expect(view.totals).toEqual({ amount: '300.00', tax: '18.00', total: '318.00' });
      expect(view.lines).toHaveLength(2);
      expect(view.extraction.fieldSources).toMatchObject({
        'seller.name': 'verification',
        'totals.amount': 'verification',
        lines: 'verification',
        kind: 'verification',
      });
      expect(eventsOf(entered.id, 'received.verified')).toHaveLength(1);
      expect(eventsOf(entered.id, 'received.changed')).toHaveLength(0);
    });

    it('catches a red reversal after the first verification: received.changed and the flag, nightly and on demand', async () => {
      const blue = await issueOnPlatform(['100.00', '200.00']);
      const entered = await enter(b, { number: blue.number, issueDate: today(), total: '318.00' });
      await drain();
      expect((await item(b, entered.id)).verification.status).toBe('normal');

      // Part of it is reversed; the nightly run (01:00–06:00 China time) verifies the unbooked 正常 items again.
      await reverse(blue, 1, '-100.00', '-6.00');
      // 01:30 on 06-02, China time: the nightly run queues the re-verifications over the window.
      await drainAt('2025-06-01T17:30:00Z', () => scheduleNightlyReverification(t.runtime.deps, '2025-06-02'));
      const queued = await t.runtime.deps.db.kysely
        .selectFrom('jobs')
        .select(['run_at', 'state'])
        .where('job_key', '=', `collection/verify-received:${entered.id}:nightly:2025-06-02`)
        .executeTakeFirstOrThrow();
      expect(queued.state).toBe('queued');
      expect(Number(queued.run_at)).toBeLessThanOrEqual(Date.parse('2025-06-01T22:00:00Z'));
      expect((await item(b, entered.id)).verification.status).toBe('normal');
      await drainAt('2025-06-01T22:00:00Z'); // 06:00
      let view = await item(b, entered.id);
      expect(view.verification.status).toBe('partly_red');
      expect(view.verification.history.map((h) => h.status)).toEqual(['partly_red', 'normal']);
      const changed = eventsOf(entered.id, 'received.changed');
      expect(changed).toHaveLength(1);
      expect(changed[0]?.data).toMatchObject({
        previousStatus: 'normal',
        status: 'partly_red',
        statusName: '部分红冲',
      });
      // The next night is scheduled by the run itself.
      expect(
        await t.runtime.deps.db.kysely
          .selectFrom('jobs')
          .select('run_at')
          .where('job_key', '=', 'collection/reverify-nightly:2025-06-03')
          .executeTakeFirst(),
      ).toEqual({ run_at: expect.anything() });

      // The rest is reversed. A 部分红冲 item can still change, so the next night verifies it again too.
      await reverse(blue, 2, '-200.00', '-12.00');
      await drainAt('2025-06-02T17:30:00Z'); // 01:30 on 06-03: the run the first night scheduled
      await drainAt('2025-06-02T22:00:00Z');
      view = await item(b, entered.id);
      expect(view.verification.status).toBe('red_reversed');
      // 已红冲 is final: the night after does not ask again; on demand still does (202 with the item as it is).
      await drainAt('2025-06-03T17:30:00Z');
      expect(
        await t.runtime.deps.db.kysely
          .selectFrom('jobs')
          .select('id')
          .where('job_key', '=', `collection/verify-received:${entered.id}:nightly:2025-06-04`)
          .executeTakeFirst(),
      ).toBeUndefined();
      const res = await reverify(b, entered.id);
      expect(res.statusCode).toBe(202);
      expect(res.json()).toMatchObject({ id: entered.id, verification: { status: 'red_reversed' } });
      await drain();
      view = await item(b, entered.id);
      expect(view.verification.status).toBe('red_reversed');
      // Compliance follows the verification result (the rules stage recomputes on received.verified/changed).
      expect(view.compliance.result).toBe('block');
      expect(view.compliance.findings.find((f) => f.rule === 'verification')).toMatchObject({ outcome: 'fail' });
      expect(eventsOf(entered.id, 'received.changed').map((e) => e.data?.status)).toEqual([
        'partly_red',
        'red_reversed',
      ]);
    });

    it('records 查无此票, 不一致 with the field, 超过五年 and 无法查验 (missing inputs)', async () => {
      const blue = await issueOnPlatform(['50.00']);
      const wrongTotal = await enter(b, { number: blue.number, issueDate: today(), total: '50.00' });
      const unknown = await enter(b, { number: '25312000000999999990', issueDate: today(), total: '1.00' });
      const noCheckCode = await enter(b, {
        number: '12345678',
        code: '044031900111',
        issueDate: '2024-11-02',
        amount: '10.00',
      });
      await drain();
      expect((await item(b, wrongTotal.id)).verification.history[0]).toMatchObject({
        status: 'mismatch',
        mismatchField: 'total',
        message: '不一致：价税合计不符',
      });
      expect((await item(b, wrongTotal.id)).seller.name).toBeNull();
      expect((await item(b, unknown.id)).verification.status).toBe('not_found');
      expect((await item(b, noCheckCode.id)).verification.history[0]).toMatchObject({
        status: 'unverifiable',
        message: '无法查验：缺少校验码后6位',
      });
      // An invoice issued more than five years ago (its date as the platform holds it).
      const old = await enter(b, { number: '25312000000999999991', issueDate: '2020-05-30', total: '1.00' });
      await drain();
      expect((await item(b, old.id)).verification).toMatchObject({
        status: 'too_old',
        history: [{ message: expect.stringContaining('超过五年') }],
      });
    });

    it('answers 超过查验次数 from the 6th check of a day, keeps the earlier verdict and asks again the next day', async () => {
      const blue = await issueOnPlatform(['10.00']);
      const entered = await enter(b, { number: blue.number, issueDate: today(), total: '10.60' });
      await drain(); // check 1
      // Requests within one minute are one job.
      expect((await reverify(b, entered.id)).statusCode).toBe(202);
      expect((await reverify(b, entered.id)).statusCode).toBe(202);
      await drain(); // check 2
      expect((await item(b, entered.id)).verification.history).toHaveLength(2);
      for (let i = 0; i < 4; i++) {
        await drainAt(new Date(t.clock.now() + 60_000).toISOString());
        expect((await reverify(b, entered.id)).statusCode).toBe(202);
        await drain(); // checks 3..5, then 6: refused by the platform
      }
      let view = await item(b, entered.id);
      expect(view.verification.status).toBe('normal');
      expect(view.verification.history).toHaveLength(6);
      expect(view.verification.history[0]).toMatchObject({
        status: 'too_many_checks',
        message: expect.stringContaining('超过查验次数'),
      });
      // Queued for the next day, not dropped.
      const next = await t.runtime.deps.db.kysely
        .selectFrom('jobs')
        .select(['run_at', 'state'])
        .where('task', '=', 'collection/verify-received')
        .where('payload', 'like', `%${entered.id}%deferred%`)
        .executeTakeFirstOrThrow();
      expect(next.state).toBe('queued');
      expect(Number(next.run_at)).toBeGreaterThanOrEqual(Date.parse(`${nextDayIso()}T00:00:00+08:00`));
      await drainAt(`${nextDayIso()}T02:00:00Z`);
      view = await item(b, entered.id);
      expect(view.verification.history[0]?.status).toBe('normal');
    });

    it('reschedules, never drops, when the daily quota is used up; runs the next day', async () => {
      const blue = await issueOnPlatform(['20.00']);
      const db = t.runtime.deps.db.kysely;
      const period = `day:${today()}`;
      // Use up the rest of today's quota (1000) the way other verifications would have.
      await db
        .insertInto('verification_limits')
        .values({ provider: 'sandbox', period, value: 1000 })
        .onConflict((oc) => oc.columns(['provider', 'period']).doUpdateSet({ value: 1000 }))
        .execute();
      const entered = await enter(b, { number: blue.number, issueDate: today(), total: '21.20' });
      await drain();
      expect((await item(b, entered.id)).verification).toMatchObject({ status: 'pending', history: [] });
      const deferred = await db
        .selectFrom('jobs')
        .select(['run_at', 'state'])
        .where('task', '=', 'collection/verify-received')
        .where('payload', 'like', `%${entered.id}%deferred%`)
        .executeTakeFirstOrThrow();
      expect(deferred.state).toBe('queued');
      const midnight = Date.parse(`${nextDayIso()}T00:00:00+08:00`);
      expect(Number(deferred.run_at)).toBeGreaterThanOrEqual(midnight);
      await drainAt(new Date(midnight + HOUR).toISOString());
      expect((await item(b, entered.id)).verification.status).toBe('normal');
    });

    it('keeps tenants apart: another tenant’s item is 404, and its own item of the same invoice is its own', async () => {
      const blue = await issueOnPlatform(['30.00']);
      const mine = await enter(b, { number: blue.number, issueDate: today(), total: '31.80' });
      const res = await reverify(c, mine.id);
      expect(res.statusCode).toBe(404);
      expect(errorOf(res).code).toBe('RECEIVED_INVOICE_NOT_FOUND');
      const theirs = await enter(c, { number: blue.number, issueDate: today(), total: '31.80' });
      await drain();
      expect((await item(b, mine.id)).verification.history).toHaveLength(1);
      expect((await item(c, theirs.id)).verification.history).toHaveLength(1);
      expect(
        (await t.app.inject({ method: 'POST', url: `/api/v1/received-invoices/${mine.id}/verify` })).statusCode,
      ).toBe(401);
    });

    it('marks an item failed after the channel kept failing (transient errors, retries used up)', async () => {
      const blue = await issueOnPlatform(['40.00']);
      await sandbox().updateSettings(
        { tenantId: b.tenantId },
        { rules: [{ when: { operation: 'verify' }, fail: 'transient' }] },
      );
      const entered = await enter(b, { number: blue.number, issueDate: today(), total: '42.40' });
      await drain();
      const view = await item(b, entered.id);
      expect(view.verification.status).toBe('failed');
      expect(view.verification.history[0]?.message).toContain('查验失败');
      await sandbox().updateSettings({ tenantId: b.tenantId }, { rules: [] });
      expect((await reverify(b, entered.id)).statusCode).toBe(202);
      await drain();
      expect((await item(b, entered.id)).verification.status).toBe('normal');
    });

    it('imports invoices from elsewhere with the CLI: a void one verifies as 作废; bad rows are reported by line', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openfapiao-import-'));
      const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
      try {
        const good = path.join(dir, 'elsewhere.jsonl');
        const row = (number: string, extra: Record<string, string> = {}) =>
          JSON.stringify({
            kind: '82',
            number,
            issueDate: '2025-03-15',
            seller: { name: '外地某某有限公司', taxId: '91440101MA5XXXXX1X' },
            buyer: { name: 'B 公司' },
            amount: '94.34',
            tax: '5.66',
            ...extra,
          });
        fs.writeFileSync(good, `${row('24440000000000077001')}\n${row('24440000000000077002', { status: 'void' })}\n`);
        await runImportLedger(t.config, good, { json: true });
        expect(JSON.parse(String(out.mock.calls.at(-1)?.[0]))).toEqual({ ok: true, format: 'jsonl', imported: 2 });
        expect(process.exitCode ?? 0).toBe(0);

        const bad = path.join(dir, 'bad.csv');
        fs.writeFileSync(
          bad,
          'kind,number,issueDate,sellerName,sellerTaxId,buyerName,amount,tax\n82,24440000000000077003,2025-03-15,X,91440101MA5XXXXX1X,B,1.00,0.06\n82,123,2025-03-15,X,91440101MA5XXXXX1X,B,1.00,0.06\n',
        );
        await runImportLedger(t.config, bad, { json: true });
        expect(process.exitCode).toBe(1);
        expect(JSON.parse(String(out.mock.calls.at(-1)?.[0]))).toEqual({
          ok: false,
          errors: [{ line: 3, message: '数电发票的 number 须是 20 位数字' }],
        });
      } finally {
        process.exitCode = 0;
        out.mockRestore();
        fs.rmSync(dir, { recursive: true, force: true });
      }
      const ok = await enter(b, { number: '24440000000000077001', issueDate: '2025-03-15', total: '100.00' });
      const voided = await enter(b, { number: '24440000000000077002', issueDate: '2025-03-15', total: '100.00' });
      const notImported = await enter(b, { number: '24440000000000077003', issueDate: '2025-03-15', total: '1.06' });
      await drain();
      expect((await item(b, ok.id)).verification.status).toBe('normal');
      expect((await item(b, ok.id)).seller.name).toBe('外地某某有限公司');
      expect((await item(b, voided.id)).verification).toMatchObject({
        status: 'void',
        history: [{ message: '该发票已作废' }],
      });
      expect((await item(b, notImported.id)).verification.status).toBe('not_found');
    });

    it('verifies a legacy 电子普票 by code, number, date and the check code', async () => {
      const issued = await sandbox().issue(issueRequest(issuer, computeInvoice(validDraft({ kind: '026' }))));
      const entered = await enter(b, {
        number: issued.number,
        code: issued.code ?? '',
        issueDate: today(),
        checkCode: issued.checkCode ?? '',
        amount: '100.00',
      });
      await drain();
      expect(await item(b, entered.id)).toMatchObject({ kind: '026', verification: { status: 'normal' } });
    });

    /** Puts invoices from elsewhere into the platform's ledger (the operator's CLI import), as JSON lines. */
    const importLedger = async (rows: object[]) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openfapiao-import-'));
      const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
      try {
        const file = path.join(dir, 'rows.jsonl');
        fs.writeFileSync(file, `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
        await runImportLedger(t.config, file, { json: true });
        expect(JSON.parse(String(out.mock.calls.at(-1)?.[0]))).toMatchObject({ ok: true });
      } finally {
        process.exitCode = 0;
        out.mockRestore();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    };

    it('a buyer tax id filled in by verification names the buyer org: its rules decide compliance', async () => {
      const rulesOf = await t.app.inject({ method: 'GET', url: '/api/v1/received-rules', headers: b.auth });
      const bOrg = rulesOf.json().buyerOrgs[0] as { id: string; taxId: string; name: string };
      // B's own org blocks anything above 1.00 (the tenant default does not).
      const rules = {
        ...rulesOf.json().rules,
        maxAmount: { enabled: true, level: 'block', params: { amount: '1.00' } },
      };
      const saved = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/received-rules',
        headers: b.auth,
        payload: { buyerOrgId: bOrg.id, rules },
      });
      expect(saved.statusCode, saved.body).toBe(200);
      try {
        await importLedger([
          {
            kind: '82',
            number: '25440000000000088001',
            issueDate: '2025-05-20',
            seller: { name: '外地供应商有限公司', taxId: '91440101MA5XXXXX1X' },
            buyer: { name: bOrg.name, taxId: bOrg.taxId },
            amount: '94.34',
            tax: '5.66',
          },
        ]);
        // Typed in without a buyer: no buyer org yet, the tenant's default rules apply.
        const entered = await enter(b, { number: '25440000000000088001', issueDate: '2025-05-20', total: '100.00' });
        expect(entered).toMatchObject({ buyerOrgId: null, buyer: { taxId: null } });
        await drain();
        const view = await item(b, entered.id);
        expect(view).toMatchObject({
          buyerOrgId: bOrg.id,
          buyer: { taxId: bOrg.taxId },
          verification: { status: 'normal' },
        });
        expect(view.compliance.findings.find((f) => f.rule === 'maxAmount')).toMatchObject({ outcome: 'fail' });
        expect(view.compliance.result).toBe('block');
      } finally {
        await t.app.inject({
          method: 'PUT',
          url: '/api/v1/received-rules',
          headers: b.auth,
          payload: { buyerOrgId: bOrg.id, rules: null },
        });
        await drain();
      }
    });

    it('a kind filled in by verification re-links duplicates: the second entry of one invoice points at the first', async () => {
      await importLedger([
        {
          kind: '026',
          code: '044031900111',
          number: '12340001',
          issueDate: '2025-05-21',
          checkCode: '11112222333344445555',
          seller: { name: '外地供应商有限公司', taxId: '91440101MA5XXXXX1X' },
          buyer: { name: 'B 公司' },
          amount: '10.00',
          tax: '0.30',
        },
      ]);
      const entry = {
        number: '12340001',
        code: '044031900111',
        issueDate: '2025-05-21',
        checkCode: '445555',
        amount: '10.00',
      };
      const first = await enter(b, { ...entry, kind: '026' });
      // The same invoice typed in again, with the wrong kind (paper 普票): not the same invoice for the pool yet.
      const second = await enter(b, { ...entry, kind: '007' });
      expect(second).toMatchObject({ kind: '007', duplicateOf: null });
      await drain();
      const view = await item(b, second.id);
      expect(view).toMatchObject({ kind: '026', duplicateOf: first.id, verification: { status: 'normal' } });
      expect(view.compliance.findings.find((f) => f.rule === 'duplicate')).toMatchObject({
        outcome: 'fail',
        reason: `与 ${first.id} 重复：同一张发票（发票代码和号码相同）`,
      });
      expect((await item(b, first.id)).duplicateOf).toBeNull();
    });
  });
}
