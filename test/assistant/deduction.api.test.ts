/**
 * 抵扣勾选 through the API on both dialects: candidates, select / cancel, 不抵扣, statistics, confirmation lock, double
 * deduction refused by the sandbox platform's ledger (two tenants), transport-ticket tax, isolation, export.
 * Pool items are entered with the real manual-entry API and given their verified facts with collection's update
 * (as the verification stage would).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateReceivedInvoice } from '../../src/modules/collection/index.js';
import { buildTestApp, errorOf, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';

interface Item {
  invoice: { id: string; number: string; kind: string };
  deduction: {
    status: string;
    period: string | null;
    tax: string | null;
    fullTax: string | null;
    taxBasis: string | null;
    partialAllowed: boolean;
    reason: string | null;
    invoiceDeleted: boolean;
  };
}

interface Facts {
  number: string;
  kind?: string;
  buyerTaxId: string;
  issueDate?: string;
  amountFen?: number;
  taxFen?: number | null;
  totalFen?: number;
  verification?: string;
}

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: deduction selection`, () => {
    let t: TestApp;
    let a: SeededTenant;
    let b: SeededTenant;
    let seq = 0;

    /** An item of the pool with these verified facts. */
    async function item(who: SeededTenant, f: Facts): Promise<string> {
      const issueDate = f.issueDate ?? '2025-05-20';
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/received-invoices',
        headers: who.auth,
        payload: { number: f.number, issueDate, total: '1.00', kind: '81' },
      });
      expect(res.statusCode, res.body).toBe(201);
      const id = res.json<{ items: Array<{ id: string }> }>().items[0]!.id;
      const amount = f.amountFen ?? 10000;
      const tax = f.taxFen === undefined ? 1300 : f.taxFen;
      await updateReceivedInvoice(t.runtime.deps.db.kysely, who.tenantId, id, {
        kind: f.kind ?? '81',
        buyer_tax_id: f.buyerTaxId,
        buyer_name: '购买方',
        seller_tax_id: '91310000MA1K000001',
        seller_name: '销售方有限公司',
        amount_fen: amount,
        tax_fen: tax,
        total_fen: f.totalFen ?? amount + (tax ?? 0),
        verification_status: f.verification ?? 'normal',
      });
      return id;
    }
    const number = () => `2431000000000${String(++seq).padStart(7, '0')}`;

    const call = (who: SeededTenant, method: 'GET' | 'POST', url: string, payload?: object) =>
      t.app.inject({ method, url, headers: who.auth, ...(payload ? { payload } : {}) });
    const list = async (who: SeededTenant, query: string) => {
      const res = await call(who, 'GET', `/api/v1/deduction/invoices?${query}`);
      expect(res.statusCode, res.body).toBe(200);
      return res.json<{ items: Item[]; nextCursor: string | null }>().items;
    };
    const ids = (items: Item[]) => items.map((i) => i.invoice.id).sort();

    beforeAll(async () => {
      t = await buildTestApp(dialect);
      a = await seedTenant(t, 'A');
      b = await seedTenant(t, 'B');
    });
    afterAll(async () => {
      await t?.close();
    });

    it('lists candidates, selects (partial where allowed), cancels, marks 不抵扣, confirms and locks', async () => {
      const buyer = a.sellerTaxId;
      const q = `buyerTaxId=${buyer}&period=202506`;
      const special = await item(a, { number: number(), buyerTaxId: buyer });
      const rail = await item(a, { number: number(), kind: '51', buyerTaxId: buyer, taxFen: null, totalFen: 10000 });
      const toll = await item(a, { number: number(), kind: '027', buyerTaxId: buyer, taxFen: 291, totalFen: 10000 });
      const plain = await item(a, { number: number(), kind: '82', buyerTaxId: buyer });
      const voided = await item(a, { number: number(), buyerTaxId: buyer, verification: 'void' });
      const elsewhere = await item(a, { number: number(), buyerTaxId: '91310000MA1K999999' });
      const june = await item(a, { number: number(), buyerTaxId: buyer, issueDate: '2025-06-01' });

      const candidates = await list(a, q);
      expect(ids(candidates)).toEqual([special, rail, toll, june].sort());
      const railView = candidates.find((c) => c.invoice.id === rail)!;
      // 100.00 ÷ (1+9%) × 9% = 8.26, the ticket carrying no tax
      expect(railView.deduction).toMatchObject({ tax: '8.26', taxBasis: 'computed', partialAllowed: false });
      expect(candidates.find((c) => c.invoice.id === special)!.deduction).toMatchObject({
        tax: '13.00',
        taxBasis: 'printed',
        partialAllowed: true,
      });
      // A period before the invoice month leaves the June invoice out; a kind filter narrows.
      expect(ids(await list(a, `buyerTaxId=${buyer}&period=202505`))).not.toContain(june);
      expect(ids(await list(a, `${q}&kind=51`))).toEqual([rail]);
      // Paging: one at a time, every candidate once.
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await call(a, 'GET', `/api/v1/deduction/invoices?${q}&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
        const body = res.json<{ items: Item[]; nextCursor: string | null }>();
        seen.push(...body.items.map((i) => i.invoice.id));
        cursor = body.nextCursor;
      } while (cursor);
      expect(seen.sort()).toEqual([special, rail, toll, june].sort());

      // Refusals, each coded.
      const select = (invoices: object[], period = '202506', who = a, buyerTaxId = buyer) =>
        call(who, 'POST', '/api/v1/deduction/selections', { buyerTaxId, period, invoices });
      expect(errorOf(await select([{ invoiceId: plain }])).code).toBe('DEDUCTION_NOT_DEDUCTIBLE');
      expect(errorOf(await select([{ invoiceId: voided }])).code).toBe('DEDUCTION_NOT_DEDUCTIBLE');
      expect(errorOf(await select([{ invoiceId: elsewhere }])).code).toBe('DEDUCTION_WRONG_BUYER');
      expect(errorOf(await select([{ invoiceId: june }], '202505')).code).toBe('DEDUCTION_NOT_DEDUCTIBLE');
      expect(errorOf(await select([{ invoiceId: special, tax: '13.01' }])).code).toBe('DEDUCTION_TAX_ABOVE_ALLOWED');
      expect(errorOf(await select([{ invoiceId: rail, tax: '8.00' }])).code).toBe('DEDUCTION_PARTIAL_NOT_ALLOWED');
      expect(errorOf(await select([{ invoiceId: special }], '202507')).code).toBe('DEDUCTION_PERIOD_INVALID');
      expect(errorOf(await select([{ invoiceId: special }], '202506', a, b.sellerTaxId)).code).toBe(
        'DEDUCTION_ORG_UNKNOWN',
      );
      const mixed = await select([{ invoiceId: special }, { invoiceId: plain }]);
      expect(mixed.statusCode).toBe(422);
      expect(errorOf(mixed).details).toMatchObject({ invoices: [{ invoiceId: plain }] });
      expect(await list(a, `${q}&status=selected`)).toEqual([]);

      // Select: the special invoice partly, the rail ticket and the toll in full.
      const ok = await select([{ invoiceId: special, tax: '10.00' }, { invoiceId: rail }, { invoiceId: toll }]);
      expect(ok.statusCode, ok.body).toBe(200);
      const selected = await list(a, `${q}&status=selected`);
      expect(ids(selected)).toEqual([special, rail, toll].sort());
      expect(selected.find((s) => s.invoice.id === special)!.deduction).toMatchObject({
        status: 'selected',
        period: '202506',
        tax: '10.00',
        fullTax: '13.00',
      });
      expect(ids(await list(a, q))).toEqual([june]);
      // Selecting again updates the tax; another period is refused until cancelled.
      expect((await select([{ invoiceId: special, tax: '13.00' }])).statusCode).toBe(200);
      expect(errorOf(await select([{ invoiceId: toll }], '202505')).code).toBe('DEDUCTION_NOT_DEDUCTIBLE');

      // Cancel.
      const cancel = (invoiceIds: string[]) =>
        call(a, 'POST', '/api/v1/deduction/selections/cancel', { buyerTaxId: buyer, period: '202506', invoiceIds });
      expect((await cancel([toll])).statusCode).toBe(200);
      expect(errorOf(await cancel([toll])).code).toBe('DEDUCTION_NOT_SELECTED');
      expect(ids(await list(a, q))).toEqual([toll, june].sort());

      // 不抵扣 with a reason, and undo.
      const notDeductible = (payload: object) =>
        call(a, 'POST', '/api/v1/deduction/not-deductible', { buyerTaxId: buyer, ...payload });
      expect((await notDeductible({ invoiceIds: [toll], reason: '用于集体福利' })).statusCode).toBe(200);
      const marked = await list(a, `${q}&status=not_deductible`);
      expect(marked.map((m) => [m.invoice.id, m.deduction.reason])).toEqual([[toll, '用于集体福利']]);
      expect(errorOf(await select([{ invoiceId: toll }])).code).toBe('DEDUCTION_NOT_DEDUCTIBLE');
      expect(errorOf(await notDeductible({ invoiceIds: [rail], reason: 'x' })).code).toBe('DEDUCTION_STATE_CONFLICT');
      expect((await notDeductible({ invoiceIds: [toll], undo: true })).statusCode).toBe(200);
      expect(ids(await list(a, q))).toEqual([toll, june].sort());
      expect((await notDeductible({ invoiceIds: [june], reason: '非应税项目' })).statusCode).toBe(200);

      // Statistics by kind.
      const stats = await call(a, 'GET', `/api/v1/deduction/periods/${buyer}/202506`);
      expect(stats.statusCode, stats.body).toBe(200);
      expect(stats.json()).toMatchObject({
        state: 'open',
        selected: {
          count: 2,
          amount: '200.00',
          tax: '21.26',
          byKind: [
            { kind: '51', count: 1, tax: '8.26' },
            { kind: '81', count: 1, tax: '13.00' },
          ],
        },
        candidates: { count: 1, tax: '2.91', byKind: [{ kind: '027', count: 1 }], truncated: false },
        notDeductible: { count: 1, byKind: [{ kind: '81', count: 1 }] },
      });

      // Confirm: locked.
      const confirm = await call(a, 'POST', `/api/v1/deduction/periods/${buyer}/202506/confirm`);
      expect(confirm.statusCode, confirm.body).toBe(200);
      expect(confirm.json()).toMatchObject({ state: 'confirmed', selected: { count: 2 } });
      expect(errorOf(await select([{ invoiceId: toll }])).code).toBe('DEDUCTION_PERIOD_LOCKED');
      expect(errorOf(await cancel([special])).code).toBe('DEDUCTION_PERIOD_LOCKED');
      expect(errorOf(await call(a, 'POST', `/api/v1/deduction/periods/${buyer}/202506/confirm`)).code).toBe(
        'DEDUCTION_PERIOD_LOCKED',
      );
      const confirmed = await list(a, `${q}&status=confirmed`);
      expect(ids(confirmed)).toEqual([special, rail].sort());
      // A confirmed invoice cannot move to another (open) period either.
      expect(errorOf(await select([{ invoiceId: special }], '202505')).code).toBe('DEDUCTION_NOT_DEDUCTIBLE');

      // Every change is in the audit log.
      const audited = await t.runtime.deps.db.kysely
        .selectFrom('audit_log')
        .select(['action', 'target_id'])
        .where('tenant_id', '=', a.tenantId)
        .where('action', 'like', 'deduction.%')
        .execute();
      const actions = new Set(audited.map((r) => r.action));
      expect([...actions].sort()).toEqual([
        'deduction.confirm',
        'deduction.not_deductible',
        'deduction.not_deductible_undo',
        'deduction.select',
        'deduction.unselect',
      ]);
      expect(audited.filter((r) => r.action === 'deduction.unselect').map((r) => r.target_id)).toEqual([toll]);

      // Export: the period's confirmed rows, numbers as text, money with 2 decimals.
      const csv = await call(a, 'GET', `/api/v1/deduction/periods/${buyer}/202506/export.csv`);
      expect(csv.statusCode).toBe(200);
      expect(csv.headers['content-type']).toContain('text/csv');
      const lines = csv.body
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\r\n');
      expect(lines[0]).toContain('"有效抵扣税额"');
      expect(lines).toHaveLength(3);
      const railLine = lines.find((l) => l.includes('铁路电子客票'))!;
      expect(railLine).toContain('"8.26"');
      expect(railLine).toContain('"计算抵扣"');
      expect(railLine).toContain('"已确认"');
      const xlsx = await call(a, 'GET', `/api/v1/deduction/periods/${buyer}/202506/export.xlsx`);
      expect(xlsx.statusCode).toBe(200);
      expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK');
    });

    it('refuses an invoice another buyer selected or deducted (sandbox ledger), all or nothing', async () => {
      const shared = number();
      const mine = await item(a, { number: shared, buyerTaxId: a.sellerTaxId });
      const select = (who: SeededTenant, invoiceIds: string[]) =>
        call(who, 'POST', '/api/v1/deduction/selections', {
          buyerTaxId: who.sellerTaxId,
          period: '202505',
          invoices: invoiceIds.map((invoiceId) => ({ invoiceId })),
        });
      expect((await select(a, [mine])).statusCode).toBe(200);

      // Tenant B holds the same invoice (code + number), addressed to its own org.
      const theirs = await item(b, { number: shared, buyerTaxId: b.sellerTaxId });
      const free = await item(b, { number: number(), buyerTaxId: b.sellerTaxId });
      const qb = `buyerTaxId=${b.sellerTaxId}&period=202505`;
      expect(ids(await list(b, qb))).toEqual([free]);
      const refused = await select(b, [free, theirs]);
      expect(refused.statusCode).toBe(409);
      expect(errorOf(refused)).toMatchObject({
        code: 'DEDUCTION_HELD_ELSEWHERE',
        details: { invoices: [{ invoiceId: theirs, refusal: 'held_elsewhere' }] },
      });
      // Nothing kept: the free invoice is still a candidate, and A can still cancel and re-select its own.
      expect(ids(await list(b, qb))).toEqual([free]);
      expect(await list(b, `${qb}&status=selected`)).toEqual([]);
      expect((await select(b, [free])).statusCode).toBe(200);

      // Deducted (confirmed) is held too.
      expect((await call(a, 'POST', `/api/v1/deduction/periods/${a.sellerTaxId}/202505/confirm`)).statusCode).toBe(200);
      expect(errorOf(await select(b, [theirs])).code).toBe('DEDUCTION_HELD_ELSEWHERE');
    });

    it('lets exactly one of many racing buyers take an invoice on the platform, and locks a confirmed period', async () => {
      const channel = t.runtime.deps.deductionChannel;
      const invoice = { kind: '81', code: null, number: number() };
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          channel.select(
            {
              tenantId: i % 2 ? a.tenantId : b.tenantId,
              buyerTaxId: `91310000MA1K${String(i).padStart(6, '0')}`,
              actor: 'race',
            },
            '202506',
            [{ invoice, taxFen: 100, ref: `ref-${i}` }],
          ),
        ),
      );
      const winners = results.flat().filter((r) => r.ok);
      expect(winners).toHaveLength(1);
      expect(results.flat().filter((r) => !r.ok && r.refusal === 'held_elsewhere')).toHaveLength(11);
      const holding = (await channel.holdings({ tenantId: a.tenantId }, [invoice])).values().next().value;
      expect(holding).toMatchObject({ status: 'selected', period: '202506' });

      // The winner's period confirmed: its invoice is deducted, and nothing moves in that period any more.
      const winner = results.findIndex((r) => r[0]!.ok);
      const scope = {
        tenantId: winner % 2 ? a.tenantId : b.tenantId,
        buyerTaxId: `91310000MA1K${String(winner).padStart(6, '0')}`,
        actor: 'race',
      };
      expect(await channel.confirm(scope, '202506')).toMatchObject({ state: 'confirmed', count: 1, taxFen: 100 });
      expect(await channel.confirm(scope, '202506')).toMatchObject({ state: 'confirmed', count: 1 });
      const [unselect] = await channel.unselect(scope, '202506', [{ invoice, ref: `ref-${winner}` }]);
      expect(unselect).toMatchObject({ ok: false, refusal: 'period_confirmed' });
      const [late] = await channel.select(scope, '202506', [
        { invoice: { kind: '81', code: null, number: number() }, taxFen: 1, ref: 'late' },
      ]);
      expect(late).toMatchObject({ ok: false, refusal: 'period_confirmed' });
      expect((await channel.holdings({ tenantId: a.tenantId }, [invoice])).values().next().value).toMatchObject({
        status: 'deducted',
      });
    });

    it('answers a transient deduction-channel failure with 503 CHANNEL_UNAVAILABLE and keeps nothing', async () => {
      const buyer = b.sellerTaxId;
      const id = await item(b, { number: number(), buyerTaxId: buyer, issueDate: '2025-04-10' });
      const settings = (payload: object) =>
        t.app.inject({ method: 'PUT', url: '/api/v1/sandbox/settings', headers: b.auth, payload });
      expect(
        (
          await settings({
            rules: [{ when: { operation: 'deduction' }, fail: 'transient', code: 'PLATFORM_BUSY', times: 1 }],
          })
        ).statusCode,
      ).toBe(200);
      const select = () =>
        call(b, 'POST', '/api/v1/deduction/selections', {
          buyerTaxId: buyer,
          period: '202504',
          invoices: [{ invoiceId: id }],
        });
      const busy = await select();
      expect(busy.statusCode, busy.body).toBe(503);
      expect(busy.headers['retry-after']).toBeDefined();
      expect(errorOf(busy)).toMatchObject({
        code: 'CHANNEL_UNAVAILABLE',
        details: { channelCode: 'PLATFORM_BUSY', retryable: true },
      });
      expect(await list(b, `buyerTaxId=${buyer}&period=202504&status=selected`)).toEqual([]);
      expect((await select()).statusCode).toBe(200);
      // Confirmation too: 503, and the period stays open until a retry goes through.
      const confirm = () => call(b, 'POST', `/api/v1/deduction/periods/${buyer}/202504/confirm`);
      await settings({ rules: [{ when: { operation: 'deduction' }, fail: 'transient' }] });
      expect(errorOf(await confirm())).toMatchObject({ code: 'CHANNEL_UNAVAILABLE' });
      expect((await call(b, 'GET', `/api/v1/deduction/periods/${buyer}/202504`)).json().state).toBe('open');
      expect((await settings({ rules: [] })).statusCode).toBe(200);
      expect((await confirm()).json()).toMatchObject({ state: 'confirmed', selected: { count: 1 } });
    });

    it('filters the pool by kinds, buyer tax id and red state, the filters candidates are read with', async () => {
      const c = await seedTenant(t, 'C');
      const buyer = c.sellerTaxId;
      const blue = await item(c, { number: number(), buyerTaxId: buyer });
      const red = await item(c, { number: number(), buyerTaxId: buyer });
      await updateReceivedInvoice(t.runtime.deps.db.kysely, c.tenantId, red, { is_red: 1 });
      const toll = await item(c, { number: number(), kind: '027', buyerTaxId: buyer, taxFen: 291 });
      const plain = await item(c, { number: number(), kind: '82', buyerTaxId: '91310000MA1K999999' });
      const pool = async (query: string) => {
        const res = await call(c, 'GET', `/api/v1/received-invoices?${query}`);
        expect(res.statusCode, res.body).toBe(200);
        return res
          .json<{ items: Array<{ id: string }> }>()
          .items.map((i) => i.id)
          .sort();
      };
      expect(await pool('kinds=81')).toEqual([blue, red].sort());
      expect(await pool('kinds=81,027')).toEqual([blue, red, toll].sort());
      expect(await pool('kinds=86')).toEqual([]);
      expect(await pool(`buyerTaxId=${buyer.toLowerCase()}`)).toEqual([blue, red, toll].sort());
      expect(await pool('buyerTaxId=91310000MA1K999999')).toEqual([plain]);
      expect(await pool('red=true')).toEqual([red]);
      expect(await pool('red=false')).toEqual([blue, toll, plain].sort());
      expect(await pool(`kinds=81,027&buyerTaxId=${buyer}&red=false`)).toEqual([blue, toll].sort());
      // The export takes the same filters.
      const csv = await call(c, 'GET', `/api/v1/received-invoices/export.csv?red=true`);
      expect(csv.statusCode).toBe(200);
      expect(csv.body.trim().split('\r\n')).toHaveLength(2);
      // Candidates are the pool under those filters (and 查验 正常, not a duplicate): the red one is not among them.
      expect(ids(await list(c, `buyerTaxId=${buyer}&period=202506`))).toEqual([blue, toll].sort());
    });

    it('keeps a selection whose pool item was deleted listed, flagged and not selectable again', async () => {
      const d = await seedTenant(t, 'D');
      const buyer = d.sellerTaxId;
      const q = `buyerTaxId=${buyer}&period=202506`;
      const kept = await item(d, { number: number(), buyerTaxId: buyer });
      const gone = await item(d, { number: number(), buyerTaxId: buyer });
      const marked = await item(d, { number: number(), buyerTaxId: buyer });
      const select = (invoiceIds: string[]) =>
        call(d, 'POST', '/api/v1/deduction/selections', {
          buyerTaxId: buyer,
          period: '202506',
          invoices: invoiceIds.map((invoiceId) => ({ invoiceId })),
        });
      expect((await select([kept, gone])).statusCode).toBe(200);
      expect(
        (
          await call(d, 'POST', '/api/v1/deduction/not-deductible', {
            buyerTaxId: buyer,
            invoiceIds: [marked],
            reason: '福利',
          })
        ).statusCode,
      ).toBe(200);
      for (const id of [gone, marked]) {
        const del = await t.app.inject({ method: 'DELETE', url: `/api/v1/received-invoices/${id}`, headers: d.auth });
        expect(del.statusCode, del.body).toBe(204);
      }
      expect((await call(d, 'GET', `/api/v1/received-invoices/${gone}`)).statusCode).toBe(404);

      // Still listed with its period and tax, flagged; the 不抵扣 one too.
      const selected = await list(d, `${q}&status=selected`);
      expect(ids(selected)).toEqual([kept, gone].sort());
      expect(selected.find((s) => s.invoice.id === gone)!.deduction).toMatchObject({
        status: 'selected',
        period: '202506',
        tax: '13.00',
        invoiceDeleted: true,
      });
      expect(selected.find((s) => s.invoice.id === kept)!.deduction.invoiceDeleted).toBe(false);
      const notDeductible = await list(d, `${q}&status=not_deductible`);
      expect(notDeductible.map((m) => [m.invoice.id, m.deduction.invoiceDeleted])).toEqual([[marked, true]]);
      // The list agrees with the statistics, which count it.
      const stats = (await call(d, 'GET', `/api/v1/deduction/periods/${buyer}/202506`)).json();
      expect(stats.selected.count).toBe(selected.length);
      // Not selectable again (and not a candidate); its selection can still be cancelled.
      expect(errorOf(await select([gone])).code).toBe('DEDUCTION_INVOICE_NOT_FOUND');
      expect(ids(await list(d, q))).toEqual([]);
      const cancel = await call(d, 'POST', '/api/v1/deduction/selections/cancel', {
        buyerTaxId: buyer,
        period: '202506',
        invoiceIds: [gone],
      });
      expect(cancel.statusCode, cancel.body).toBe(200);
      expect(ids(await list(d, `${q}&status=selected`))).toEqual([kept]);
    });

    it('shows each pool item’s deduction state in the pool view and its export', async () => {
      const e = await seedTenant(t, 'E');
      const buyer = e.sellerTaxId;
      const special = await item(e, { number: number(), buyerTaxId: buyer });
      const plain = await item(e, { number: number(), kind: '82', buyerTaxId: buyer });
      const pending = await item(e, { number: number(), buyerTaxId: buyer, verification: 'pending' });
      const welfare = await item(e, { number: number(), buyerTaxId: buyer });
      const view = async (id: string) => {
        const res = await call(e, 'GET', `/api/v1/received-invoices/${id}`);
        expect(res.statusCode, res.body).toBe(200);
        return res.json().deduction;
      };
      expect(await view(special)).toEqual({
        status: 'deductible',
        statusName: '可勾选',
        period: null,
        tax: null,
        reason: null,
        marked: false,
      });
      const sel = await call(e, 'POST', '/api/v1/deduction/selections', {
        buyerTaxId: buyer,
        period: '202506',
        invoices: [{ invoiceId: special, tax: '12.00' }],
      });
      expect(sel.statusCode, sel.body).toBe(200);
      const marked = await call(e, 'POST', '/api/v1/deduction/not-deductible', {
        buyerTaxId: buyer,
        invoiceIds: [welfare],
        reason: '用于集体福利',
      });
      expect(marked.statusCode, marked.body).toBe(200);
      expect(await view(special)).toMatchObject({ status: 'selected', period: '202506', tax: '12.00' });
      expect(await view(welfare)).toMatchObject({ status: 'not_deductible', reason: '用于集体福利', marked: true });
      expect(await view(plain)).toMatchObject({ status: 'not_deductible', reason: expect.stringContaining('票种') });
      expect(await view(pending)).toMatchObject({ status: 'unverified', statusName: '待查验' });
      // The list carries it too; confirmation turns it 已抵扣.
      const listed = await call(e, 'GET', '/api/v1/received-invoices');
      const byId = new Map(
        listed.json<{ items: Array<{ id: string; deduction: { status: string } }> }>().items.map((i) => [i.id, i]),
      );
      expect(byId.get(special)?.deduction.status).toBe('selected');
      expect((await call(e, 'POST', `/api/v1/deduction/periods/${buyer}/202506/confirm`)).statusCode).toBe(200);
      expect(await view(special)).toMatchObject({ status: 'confirmed', statusName: '已抵扣', period: '202506' });

      const csv = await call(e, 'GET', '/api/v1/received-invoices/export.csv');
      expect(csv.statusCode).toBe(200);
      const [head, ...rows] = csv.body
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\r\n');
      const cols = head!.split(',').map((h) => h.replace(/"/g, ''));
      const at = (name: string) => cols.indexOf(name);
      expect(at('抵扣状态')).toBeGreaterThan(0);
      const cells = (id: string) =>
        rows
          .find((r) => r.includes(id))!
          .split(',')
          .map((c) => c.replace(/"/g, '').replace(/^\t/, ''));
      expect(cells(special)[at('抵扣状态')]).toBe('已抵扣');
      expect(cells(special)[at('所属期')]).toBe('202506');
      expect(cells(special)[at('有效抵扣税额')]).toBe('12.00');
      expect(cells(welfare)[at('不抵扣原因')]).toBe('用于集体福利');
    });

    it('keeps tenants apart', async () => {
      const own = await item(a, { number: number(), buyerTaxId: a.sellerTaxId });
      // B cannot name A's org or A's invoice, and sees none of A's rows.
      expect(
        errorOf(await call(b, 'GET', `/api/v1/deduction/invoices?buyerTaxId=${a.sellerTaxId}&period=202506`)).code,
      ).toBe('DEDUCTION_ORG_UNKNOWN');
      const res = await call(b, 'POST', '/api/v1/deduction/selections', {
        buyerTaxId: b.sellerTaxId,
        period: '202506',
        invoices: [{ invoiceId: own }],
      });
      expect(errorOf(res).code).toBe('DEDUCTION_INVOICE_NOT_FOUND');
      expect(errorOf(await call(b, 'GET', `/api/v1/deduction/periods/${a.sellerTaxId}/202506`)).code).toBe(
        'DEDUCTION_ORG_UNKNOWN',
      );
      expect(ids(await list(b, `buyerTaxId=${b.sellerTaxId}&period=202506`))).not.toContain(own);
    });
  });
}
