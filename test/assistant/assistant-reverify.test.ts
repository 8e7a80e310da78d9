/**
 * 导入单据 re-verifies what was verified long ago (#15 gaps): an invoice red-reversed or voided since its last
 * verification is caught before anything is pushed, a channel that does not answer in time is a 503 with nothing
 * pushed, a final verdict (已红冲) is not asked again, and a partly red-reversed invoice (部分红冲) may be claimed only
 * for what was not reversed — on the select
 * page, at import and in bills. Invoices issued and reversed on the sandbox platform, entered through the page's QR
 * route, verified by the real jobs; both dialects.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VerificationChannel } from '../../src/modules/channels/index.js';
import { ChannelError } from '../../src/modules/channels/index.js';
import { createOrg } from '../../src/modules/orgs/index.js';
import { buildInvoiceQrPayload } from '../../src/tax/index.js';
import {
  BUYER_TAX_ID,
  blueInvoice,
  issueRequest,
  newTenant,
  redFormRequest,
  redInvoice,
  redLine,
} from '../channels/sandbox-kit.js';
import { errorOf, type SeededTenant } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { pageRequest } from './assistant-kit.js';
import { type BillsKit, createBillsKit } from './bills-kit.js';

const HOUR = 3_600_000;
const BUYER = { taxNo: BUYER_TAX_ID, name: '示例购买方有限公司' };

interface Item {
  id: string;
  verification: { status: string; checkedAt: string | null };
  check: { importable: boolean; level: string; reasons: string[] };
  claim: { claimed: string; remaining: string; reversed: string };
}

let billSeq = 0;

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: re-verification at import, partly red-reversed invoices`, () => {
    let k: BillsKit;
    let a: SeededTenant;
    const issuer = newTenant();

    beforeAll(async () => {
      k = await createBillsKit(dialect, { ASSISTANT_REVERIFY_WAIT_SECONDS: '1' });
      a = await k.tenant('A');
      await createOrg({ db: k.t.runtime.deps.db.kysely, clock: k.t.clock }, a.tenantId, {
        taxId: BUYER.taxNo,
        name: BUYER.name,
      });
    });
    afterAll(async () => k?.t.close());

    const sandbox = () => {
      const s = k.t.runtime.sandbox;
      if (!s) throw new Error('sandbox expected');
      return s;
    };
    const today = () => new Date(k.t.clock.now() + 8 * HOUR).toISOString().slice(0, 10);
    /** The API app's bearer header, with a token fresh at the (manual) clock's now. */
    let token = { at: Number.NEGATIVE_INFINITY, value: '' };
    const auth = async () => {
      if (k.t.clock.now() - token.at > HOUR) {
        const res = await k.t.app.inject({
          method: 'POST',
          url: '/api/v1/auth/token',
          payload: { appId: a.appId, appSecret: a.appSecret },
        });
        expect(res.statusCode, res.body).toBe(200);
        token = { at: k.t.clock.now(), value: res.json<{ accessToken: string }>().accessToken };
      }
      return { authorization: `Bearer ${token.value}` };
    };
    /** A new event code for a new bill of the same employee; its link key is the bill's. */
    const newEvent = async () => {
      const billId = `RV-${++billSeq}`;
      const res = await k.t.app.inject({
        method: 'POST',
        url: '/api/v1/assistant/events',
        headers: await auth(),
        payload: {
          billId,
          resource: 'OA',
          userId: 'u-reverify',
          linkKey: `lk-${billId}`,
          pushType: 'poll',
          companyInfo: [BUYER],
        },
      });
      expect(res.statusCode, res.body).toBe(201);
      return { code: res.json<{ eventCode: string }>().eventCode, billId, linkKey: `lk-${billId}` };
    };
    const page = (code: string, url: string, payload?: unknown) => pageRequest(k.t, code, url, { payload });
    const itemOf = async (code: string, id: string): Promise<Item> => {
      const res = await page(code, `/api/v1/assistant/page/items?ids=${id}`);
      expect(res.statusCode, res.body).toBe(200);
      return res.json<{ items: Item[] }>().items[0]!;
    };
    /** What the expense system receives on the link key right now. */
    const pushed = async (linkKey: string) => {
      const res = await k.t.app.inject({
        method: 'GET',
        url: `/api/v1/assistant/poll?linkKey=${linkKey}&wait=0`,
        headers: await auth(),
      });
      expect(res.statusCode, res.body).toBe(200);
      return res.json<{ imports: Array<{ invoiceData: Array<{ id: string; claimAmount: string }> }> }>().imports;
    };
    /** A blue invoice (lines of 100.00 and 200.00 at 6 %: 318.00) issued to the buyer, in the employee's folder. */
    const collect = async () => {
      const invoice = blueInvoice(['100.00', '200.00']);
      const blue = { ...(await sandbox().issue(issueRequest(issuer, invoice))), invoice };
      const event = await newEvent();
      const text = buildInvoiceQrPayload({
        kind: '81',
        invoiceNumber: blue.number,
        amount: '318.00',
        issueDate: today(),
      });
      const res = await page(event.code, '/api/v1/assistant/page/qr', { text });
      expect(res.statusCode, res.body).toBe(201);
      const id = res.json<{ items: Item[] }>().items[0]!.id;
      await k.drain();
      const item = await itemOf(event.code, id);
      expect(item.verification.status).toBe('normal');
      expect(item.check).toMatchObject({ importable: true, level: 'pass' });
      return { blue, id };
    };
    /** The seller reverses these lines of the blue invoice on the platform (a red form and a red invoice each). */
    const reverse = async (
      blue: Awaited<ReturnType<typeof collect>>['blue'],
      lines: ReadonlyArray<readonly [number, string, string]>,
    ) => {
      for (const [lineNo, amount, tax] of lines) {
        const form = await sandbox().applyRedForm(
          redFormRequest(issuer, blue, '02', [redLine(lineNo, amount, tax)], { amount, tax }),
        );
        await sandbox().issue(
          issueRequest(issuer, redInvoice(blue.number, [amount]), {
            red: { blueNumber: blue.number, redFormId: form.id, redFormNo: form.formNo },
          }),
        );
      }
    };
    const putBill = async (billId: string, body: Record<string, unknown>) =>
      k.t.app.inject({ method: 'PUT', url: `/api/v1/bills/OA/${billId}`, headers: await auth(), payload: body });
    const importInto = (code: string, invoices: Array<{ invoiceId: string; amount?: string }>) =>
      page(code, '/api/v1/assistant/page/import', { invoices });

    it('an invoice red-reversed since its last verification is re-verified at import and blocked; nothing is pushed', async () => {
      const { blue, id } = await collect();
      await reverse(blue, [
        [1, '-100.00', '-6.00'],
        [2, '-200.00', '-12.00'],
      ]);
      // Verified less than ASSISTANT_REVERIFY_AFTER_HOURS (24) ago: the import trusts that verification.
      k.t.clock.advance(23 * HOUR);
      const fresh = await newEvent();
      let res = await importInto(fresh.code, [{ invoiceId: id, amount: '1.00' }]);
      expect(res.statusCode, res.body).toBe(201);
      expect(await pushed(fresh.linkKey)).toHaveLength(1);
      expect((await itemOf(fresh.code, id)).verification.status).toBe('normal');

      // A day after: the import asks the platform again, which says 已红冲.
      k.t.clock.advance(2 * HOUR);
      const late = await newEvent();
      res = await importInto(late.code, [{ invoiceId: id, amount: '1.00' }]);
      expect(res.statusCode, res.body).toBe(422);
      const error = errorOf(res);
      expect(error.code).toBe('ASSISTANT_NOT_IMPORTABLE');
      expect(error.details).toEqual({ invoices: [{ invoiceId: id, reason: '查验结果：已红冲' }] });
      expect(await pushed(late.linkKey)).toEqual([]);
      const item = await itemOf(late.code, id);
      expect(item.verification.status).toBe('red_reversed');
      expect(item.check).toEqual({ importable: false, level: 'block', reasons: ['查验结果：已红冲'] });
    });

    it('a final verdict (已红冲) is not re-verified however old: the import refuses it without asking the channel', async () => {
      const { blue, id } = await collect();
      await reverse(blue, [
        [1, '-100.00', '-6.00'],
        [2, '-200.00', '-12.00'],
      ]);
      k.t.clock.advance(25 * HOUR);
      const first = await newEvent();
      expect(errorOf(await importInto(first.code, [{ invoiceId: id, amount: '1.00' }])).details).toEqual({
        invoices: [{ invoiceId: id, reason: '查验结果：已红冲' }],
      });
      // Old again: 已红冲 cannot change, so the channel is not asked (here it would fail the import).
      k.t.clock.advance(25 * HOUR);
      const channel = k.t.runtime.deps.verificationChannel as { verify: VerificationChannel['verify'] };
      const original = channel.verify;
      let asked = 0;
      channel.verify = () => {
        asked++;
        return Promise.reject(new Error('must not be asked'));
      };
      try {
        const late = await newEvent();
        const res = await importInto(late.code, [{ invoiceId: id, amount: '1.00' }]);
        expect(res.statusCode, res.body).toBe(422);
        expect(errorOf(res).details).toEqual({ invoices: [{ invoiceId: id, reason: '查验结果：已红冲' }] });
        expect(asked).toBe(0);
      } finally {
        channel.verify = original;
      }
    });

    it('a re-verification the channel does not answer in time: 503 ASSISTANT_REVERIFY_PENDING, nothing pushed', async () => {
      const { id } = await collect();
      k.t.clock.advance(25 * HOUR);
      const channel = k.t.runtime.deps.verificationChannel as { verify: VerificationChannel['verify'] };
      const original = channel.verify;
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      let answered!: Promise<unknown>;
      channel.verify = (scope, query) => {
        answered = gate.then(() => original.call(k.t.runtime.deps.verificationChannel, scope, query));
        return answered as ReturnType<VerificationChannel['verify']>;
      };
      try {
        const event = await newEvent();
        const before = (await itemOf(event.code, id)).verification;
        const res = await importInto(event.code, [{ invoiceId: id }]);
        expect(res.statusCode, res.body).toBe(503);
        expect(errorOf(res)).toMatchObject({
          code: 'ASSISTANT_REVERIFY_PENDING',
          message: '发票正在重新查验，请稍后再导入',
          details: { invoiceIds: [id] },
        });
        expect(await pushed(event.linkKey)).toEqual([]);

        // The verification goes on; once it is recorded, the import goes through without asking again.
        release();
        await answered;
        let recorded = before.checkedAt;
        for (let i = 0; i < 200 && recorded === before.checkedAt; i++) {
          await new Promise((r) => setTimeout(r, 20));
          recorded = (await itemOf(event.code, id)).verification.checkedAt;
        }
        expect(recorded).not.toBe(before.checkedAt);
        channel.verify = () => Promise.reject(new Error('must not be asked again'));
        const again = await importInto(event.code, [{ invoiceId: id }]);
        expect(again.statusCode, again.body).toBe(201);
        const messages = await pushed(event.linkKey);
        expect(messages.map((m) => m.invoiceData.map((d) => [d.id, d.claimAmount]))).toEqual([[[id, '318.00']]]);

        // A channel failing transiently defers the verification: the same 503 at once.
        k.t.clock.advance(25 * HOUR);
        channel.verify = () => Promise.reject(new ChannelError('transient', 'CHANNEL_UNAVAILABLE', '平台繁忙'));
        const busy = await newEvent();
        const refused = await importInto(busy.code, [{ invoiceId: id, amount: '1.00' }]);
        expect(refused.statusCode, refused.body).toBe(503);
        expect(errorOf(refused).code).toBe('ASSISTANT_REVERIFY_PENDING');
        expect(await pushed(busy.linkKey)).toEqual([]);
      } finally {
        channel.verify = original;
      }
    });

    it('部分红冲: the claimable amount is the total less the red one, on the page, at import and in bills', async () => {
      const { blue, id } = await collect();
      const early = await newEvent();
      // A bill claims 250.00 before the seller reverses line 1 (100.00 + 6.00 tax).
      let res = await putBill(early.billId, { status: 30, invoices: [{ invoiceId: id, amount: '250.00' }] });
      expect(res.statusCode, res.body).toBe(200);
      await reverse(blue, [[1, '-100.00', '-6.00']]);
      k.t.clock.advance(25 * HOUR);
      const event = await newEvent();
      // The page still shows the old verification; the import re-verifies and measures against 318.00 − 106.00.
      expect((await itemOf(event.code, id)).claim).toEqual({ claimed: '250.00', remaining: '68.00', reversed: '0.00' });
      res = await importInto(event.code, [{ invoiceId: id, amount: '68.00' }]);
      expect(res.statusCode, res.body).toBe(422);
      expect(errorOf(res).details).toEqual({
        invoices: [{ invoiceId: id, reason: '发票已部分红冲，其余金额已全部报销' }],
      });
      const item = await itemOf(event.code, id);
      expect(item.verification.status).toBe('partly_red');
      // Claims above what is left are not taken from the bill; nothing more may be claimed.
      expect(item.claim).toEqual({ claimed: '250.00', remaining: '0.00', reversed: '106.00' });
      expect(item.check.importable).toBe(false);
      expect(await pushed(event.linkKey)).toEqual([]);
      // The pool's usage follows (the bills' job of the verification): nothing remains.
      await k.drain();
      res = await k.t.app.inject({ method: 'GET', url: `/api/v1/received-invoices/${id}`, headers: await auth() });
      expect(res.json().usage).toMatchObject({ status: 'claimed', claimed: '250.00', remaining: '0.00' });

      // The first bill lowers its claim to 200.00 (a release always passes): 12.00 remain.
      res = await putBill(early.billId, { status: 30, invoices: [{ invoiceId: id, amount: '200.00' }] });
      expect(res.statusCode, res.body).toBe(200);
      expect((await itemOf(event.code, id)).claim).toEqual({
        claimed: '200.00',
        remaining: '12.00',
        reversed: '106.00',
      });
      expect((await itemOf(event.code, id)).check).toMatchObject({ importable: true, level: 'pass' });
      res = await importInto(event.code, [{ invoiceId: id, amount: '12.01' }]);
      expect(errorOf(res).details).toEqual({ invoices: [{ invoiceId: id, reason: '报销金额超过可报销金额 12.00' }] });
      res = await importInto(event.code, [{ invoiceId: id }]);
      expect(res.statusCode, res.body).toBe(201);
      const messages = await pushed(event.linkKey);
      expect(messages.map((m) => m.invoiceData.map((d) => [d.id, d.claimAmount]))).toEqual([[[id, '12.00']]]);

      // Bills: 12.01 more is refused with what remains, 12.00 is taken.
      res = await putBill(event.billId, { status: 30, invoices: [{ invoiceId: id, amount: '12.01' }] });
      expect(res.statusCode, res.body).toBe(409);
      expect(errorOf(res)).toMatchObject({
        code: 'BILL_AMOUNT_EXCEEDED',
        details: { invoiceId: id, remaining: '12.00' },
      });
      res = await putBill(event.billId, { status: 30, invoices: [{ invoiceId: id, amount: '12.00' }] });
      expect(res.statusCode, res.body).toBe(200);
      // A new claim on its own above the claimable total names it.
      res = await putBill(`${event.billId}-x`, { status: 30, invoices: [{ invoiceId: id, amount: '300.00' }] });
      expect(errorOf(res)).toMatchObject({
        code: 'BILL_AMOUNT_EXCEEDED',
        message: '报销金额超过发票可报销金额 212.00（价税合计 318.00，已部分红冲）',
        details: { invoiceId: id, remaining: '212.00' },
      });
      res = await k.t.app.inject({ method: 'GET', url: `/api/v1/received-invoices/${id}`, headers: await auth() });
      expect(res.json().usage).toMatchObject({ claimed: '212.00', remaining: '0.00' });
    });
  });
}
