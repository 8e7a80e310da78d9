import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChannelError } from '../../src/modules/channels/index.js';
import {
  buildTestApp,
  errorOf,
  refreshToken,
  type SeededTenant,
  seedTenant,
  type TestApp,
} from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { get, issueBlue, nextSerial, post, requestRed, waitForRedForm, waitForStatus } from './invoicing-kit.js';

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: red-letter reversal (红冲)`, () => {
    let t: TestApp;
    let a: SeededTenant;
    let b: SeededTenant;

    const settings = (body: unknown) =>
      t.app.inject({ method: 'PUT', url: '/api/v1/sandbox/settings', headers: a.auth, payload: body as object });

    beforeAll(async () => {
      t = await buildTestApp(dialect, {}, undefined, { worker: true });
      a = await seedTenant(t, 'A');
      b = await seedTenant(t, 'B');
    });
    afterAll(async () => t?.close());

    it('fully reverses a blue invoice: red invoice with the required remark, blue becomes reversed', async () => {
      const blue = await issueBlue(t, a);
      const redSerialNo = nextSerial('RED');
      const res = await post(t, a, `/api/v1/invoices/${blue.serialNo}/red?wait=10`, { redSerialNo, reason: '01' });
      expect(res.statusCode, res.body).toBe(200);
      const red = res.json();
      expect(red).toMatchObject({
        serialNo: redSerialNo,
        status: 'issued',
        isRed: true,
        number: expect.stringMatching(/^\d{20}$/),
        totals: { amount: '-2000.00', tax: '-190.00', total: '-2190.00', totalInWords: '（负数）贰仟壹佰玖拾圆整' },
        red: { blueSerialNo: blue.serialNo, blueNumber: blue.number, reason: '01', formStatus: 'used' },
      });
      expect(red.remark).toBe(`被红冲蓝字数电票号码：${blue.number} 红字发票信息确认单编号：${red.red.formNo}`);
      expect(red.lines.map((l: { amount: string }) => l.amount)).toEqual(['-1000.00', '-1000.00']);
      const after = (await get(t, a, `/api/v1/invoices/${blue.serialNo}`)).json();
      expect(after).toMatchObject({ status: 'reversed', reversed: { amount: '2000.00', tax: '190.00' } });
      expect(after.reds).toEqual([{ serialNo: redSerialNo, status: 'issued', number: red.number, total: '-2190.00' }]);
      const again = await post(t, a, `/api/v1/invoices/${blue.serialNo}/red`, {
        redSerialNo: nextSerial('RED'),
        reason: '01',
      });
      expect(errorOf(again).code).toBe('INVOICE_NOT_REVERSIBLE');
    });

    it('partially reverses twice and refuses over-reversal', async () => {
      const blue = await issueBlue(t, a);
      const first = await post(t, a, `/api/v1/invoices/${blue.serialNo}/red?wait=10`, {
        redSerialNo: nextSerial('RED'),
        reason: '04',
        lines: [{ lineNo: 1, amount: '-300.00' }],
      });
      expect(first.json()).toMatchObject({
        status: 'issued',
        totals: { amount: '-300.00', tax: '-18.00', total: '-318.00' },
      });
      expect((await get(t, a, `/api/v1/invoices/${blue.serialNo}`)).json()).toMatchObject({
        status: 'partially_reversed',
        reversed: { amount: '300.00', tax: '18.00' },
      });
      const over = await post(t, a, `/api/v1/invoices/${blue.serialNo}/red`, {
        redSerialNo: nextSerial('RED'),
        reason: '04',
        lines: [{ lineNo: 1, amount: '-700.01' }],
      });
      expect(over.statusCode).toBe(422);
      expect(errorOf(over).code).toBe('RED_EXCEEDS_REMAINING');
      const rest = await post(t, a, `/api/v1/invoices/${blue.serialNo}/red?wait=10`, {
        redSerialNo: nextSerial('RED'),
        reason: '04',
        lines: [
          { lineNo: 1, amount: '-700.00' },
          { lineNo: 2, amount: '-1000.00' },
        ],
      });
      expect(rest.json().status).toBe('issued');
      expect((await get(t, a, `/api/v1/invoices/${blue.serialNo}`)).json().status).toBe('reversed');
    });

    it('allows only full reversal for reason 01 (开票有误)', async () => {
      const blue = await issueBlue(t, a);
      const res = await post(t, a, `/api/v1/invoices/${blue.serialNo}/red`, {
        redSerialNo: nextSerial('RED'),
        reason: '01',
        lines: [{ lineNo: 1, amount: '-100.00' }],
      });
      expect(res.statusCode).toBe(422);
      expect(errorOf(res).code).toBe('RED_PARTIAL_NOT_ALLOWED');
    });

    it('waits for the buyer’s confirmation, keeps one red in flight, and issues once confirmed', async () => {
      await settings({ redFormBuyerDecision: 'manual' });
      const blue = await issueBlue(t, a);
      const { redSerialNo } = await requestRed(t, a, blue.serialNo);
      const pending = await waitForStatus(t, a, redSerialNo, () => true);
      const red = await (async () => {
        for (let i = 0; i < 200; i++) {
          const r = (await get(t, a, `/api/v1/invoices/${redSerialNo}`)).json();
          if (r.red.formStatus) return r;
          await new Promise((x) => setTimeout(x, 20));
        }
        return pending;
      })();
      expect(red).toMatchObject({ status: 'pending', red: { formStatus: 'pending_buyer' } });
      expect((await get(t, a, `/api/v1/invoices/${blue.serialNo}`)).json().status).toBe('red_pending');
      const second = await post(t, a, `/api/v1/invoices/${blue.serialNo}/red`, {
        redSerialNo: nextSerial('RED'),
        reason: '01',
      });
      expect(errorOf(second).code).toBe('INVOICE_RED_IN_PROGRESS');

      const forms = (await get(t, a, '/api/v1/red-forms?status=pending_buyer')).json().items;
      expect(forms.map((f: { redSerialNo: string }) => f.redSerialNo)).toContain(redSerialNo);
      expect((await post(t, b, `/api/v1/red-forms/${red.red.formId}/confirm`)).statusCode).toBe(404);
      const confirmed = await post(t, a, `/api/v1/red-forms/${red.red.formId}/confirm`);
      expect(confirmed.statusCode, confirmed.body).toBe(200);
      const issued = await waitForStatus(t, a, redSerialNo, (s) => s === 'issued');
      expect(issued.number).toMatch(/^\d{20}$/);
      expect((await get(t, a, `/api/v1/invoices/${blue.serialNo}`)).json().status).toBe('reversed');
      await settings({ redFormBuyerDecision: 'auto_confirm' });
    });

    it('answers a transient failure of the red-form channel with 503 CHANNEL_UNAVAILABLE, retryable', async () => {
      await settings({ redFormBuyerDecision: 'manual' });
      const blue = await issueBlue(t, a);
      const { redSerialNo } = await requestRed(t, a, blue.serialNo);
      const { id: formId } = await waitForRedForm(t, a, redSerialNo);
      // A transient failure with a code of the platform's own (not one of ours): still 503, never a 4xx or 500.
      await settings({
        rules: [
          {
            when: { operation: 'decide_red_form' },
            fail: 'transient',
            code: 'PLATFORM_BUSY',
            message: '税局繁忙',
            times: 1,
          },
          { when: { operation: 'decide_red_form' }, fail: 'permanent', times: 1 },
        ],
      });
      const busy = await post(t, a, `/api/v1/red-forms/${formId}/confirm`);
      expect(busy.statusCode, busy.body).toBe(503);
      expect(busy.headers['retry-after']).toBe('5');
      expect(errorOf(busy)).toMatchObject({
        code: 'CHANNEL_UNAVAILABLE',
        message: '税局繁忙',
        details: { channelCode: 'PLATFORM_BUSY', retryable: true },
      });
      // Nothing was decided: the form still waits for the buyer. A permanent refusal is a 422, not retryable.
      expect((await get(t, a, `/api/v1/invoices/${redSerialNo}`)).json().red.formStatus).toBe('pending_buyer');
      const refused = await post(t, a, `/api/v1/red-forms/${formId}/confirm`);
      expect(refused.statusCode).toBe(422);
      expect(errorOf(refused)).toMatchObject({ code: 'CHANNEL_REJECTED', details: { retryable: false } });
      // Both rules spent: the retry goes through.
      const confirmed = await post(t, a, `/api/v1/red-forms/${formId}/confirm`);
      expect(confirmed.statusCode, confirmed.body).toBe(200);
      expect((await waitForStatus(t, a, redSerialNo, (s) => s === 'issued')).status).toBe('issued');
      await settings({ rules: [], redFormBuyerDecision: 'auto_confirm' });
    });

    it('a transient channel failure on one form: the list shows its stored status, marked stale; its GET is a 503', async () => {
      await settings({ redFormBuyerDecision: 'manual' });
      const blue = await issueBlue(t, a);
      const { redSerialNo } = await requestRed(t, a, blue.serialNo);
      const formId = (await waitForRedForm(t, a, redSerialNo)).id;
      const channel = t.runtime.deps.channel;
      const getRedForm = channel.getRedForm.bind(channel);
      channel.getRedForm = async (ctx, id) => {
        if (id === formId) throw new ChannelError('transient', 'PLATFORM_BUSY', '税局繁忙');
        return getRedForm(ctx, id);
      };
      try {
        const list = await get(t, a, '/api/v1/red-forms');
        expect(list.statusCode, list.body).toBe(200);
        const items = list.json().items as Array<{ id: string; status: string; stale: boolean; appliedAt: unknown }>;
        expect(items.find((f) => f.id === formId)).toMatchObject({
          status: 'pending_buyer',
          stale: true,
          appliedAt: null,
        });
        // The other forms are read from the channel as usual.
        const others = items.filter((f) => f.id !== formId);
        expect(others.length).toBeGreaterThan(0);
        expect(others.every((f) => !f.stale && f.appliedAt !== null)).toBe(true);
        const one = await get(t, a, `/api/v1/red-forms/${formId}`);
        expect(one.statusCode, one.body).toBe(503);
        expect(errorOf(one)).toMatchObject({ code: 'CHANNEL_UNAVAILABLE', details: { retryable: true } });
      } finally {
        channel.getRedForm = getRedForm;
      }
      const again = (await get(t, a, `/api/v1/red-forms/${formId}`)).json();
      expect(again).toMatchObject({ status: 'pending_buyer', stale: false });
      await settings({ redFormBuyerDecision: 'auto_confirm' });
    });

    it('returns the blue invoice to issued when the buyer rejects the form', async () => {
      await settings({ redFormBuyerDecision: 'manual' });
      const blue = await issueBlue(t, a);
      const { redSerialNo } = await requestRed(t, a, blue.serialNo, {
        reason: '02',
        lines: [{ lineNo: 2, amount: '-500.00', quantity: '-1' }],
      });
      const { id: formId } = await waitForRedForm(t, a, redSerialNo);
      const rejected = await post(t, a, `/api/v1/red-forms/${formId}/reject`);
      expect(rejected.json().status).toBe('rejected');
      expect((await get(t, a, `/api/v1/invoices/${redSerialNo}`)).json()).toMatchObject({
        status: 'failed',
        failure: { code: 'RED_FORM_REJECTED' },
      });
      expect((await get(t, a, `/api/v1/invoices/${blue.serialNo}`)).json().status).toBe('issued');
      expect(errorOf(await post(t, a, `/api/v1/red-forms/${formId}/confirm`)).code).toBe('RED_FORM_NOT_PENDING');
      await settings({ redFormBuyerDecision: 'auto_confirm' });
    });

    it('expires a form not confirmed within 72 hours', async () => {
      await settings({ redFormBuyerDecision: 'manual' });
      const blue = await issueBlue(t, a);
      const { redSerialNo } = await requestRed(t, a, blue.serialNo);
      await waitForRedForm(t, a, redSerialNo);
      t.clock.advance(72 * 3600_000 + 5000);
      try {
        t.runtime.deps.jobs.notify();
        // Access tokens expire after 2 h of (manual) time: sign in again three days later.
        const later = { ...a };
        await refreshToken(t, later);
        const red = await waitForStatus(t, later, redSerialNo, (s) => s === 'failed');
        expect(red.failure).toMatchObject({ code: 'RED_FORM_EXPIRED' });
        expect((await get(t, later, `/api/v1/invoices/${blue.serialNo}`)).json().status).toBe('issued');
      } finally {
        t.clock.advance(-(72 * 3600_000 + 5000));
      }
      await settings({ redFormBuyerDecision: 'auto_confirm' });
    });

    it('takes the blue invoice again when a failed red is retried (one red in flight per blue)', async () => {
      const blue = await issueBlue(t, a, { buyer: { name: '红冲重试测试有限公司', taxId: '91110000600037341L' } });
      await settings({ rules: [{ when: { buyerNameContains: '红冲重试' }, fail: 'permanent', times: 1 }] });
      const redSerialNo = nextSerial('RED');
      const failed = await post(t, a, `/api/v1/invoices/${blue.serialNo}/red?wait=10`, {
        redSerialNo,
        reason: '04',
        lines: [{ lineNo: 1, amount: '-300.00' }],
      });
      expect(failed.json().status).toBe('failed');
      expect((await get(t, a, `/api/v1/invoices/${blue.serialNo}`)).json().status).toBe('issued');
      await settings({ rules: [], latencyMs: 1000 });
      try {
        expect((await post(t, a, `/api/v1/invoices/${redSerialNo}/retry`)).statusCode).toBe(200);
        expect((await get(t, a, `/api/v1/invoices/${blue.serialNo}`)).json().status).toBe('red_pending');
        const second = await post(t, a, `/api/v1/invoices/${blue.serialNo}/red`, {
          redSerialNo: nextSerial('RED'),
          reason: '04',
          lines: [{ lineNo: 1, amount: '-700.00' }],
        });
        expect(errorOf(second).code).toBe('INVOICE_RED_IN_PROGRESS');
        await waitForStatus(t, a, redSerialNo, (s) => s === 'issued');
      } finally {
        await settings({ latencyMs: 0 });
      }
      expect((await get(t, a, `/api/v1/invoices/${blue.serialNo}`)).json()).toMatchObject({
        status: 'partially_reversed',
        reversed: { amount: '300.00', tax: '18.00' },
      });
    });

    it('pages the red forms with a cursor; without limit the first page is the whole list as before', async () => {
      for (let i = 0; i < 3; i++) {
        const blue = await issueBlue(t, a);
        const res = await post(t, a, `/api/v1/invoices/${blue.serialNo}/red?wait=10`, {
          redSerialNo: nextSerial('RED'),
          reason: '01',
        });
        expect(res.statusCode, res.body).toBe(200);
      }
      const all = (await get(t, a, '/api/v1/red-forms')).json();
      expect(all.items.length).toBeGreaterThanOrEqual(3);
      expect(all.nextCursor).toBeNull();
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let i = 0; i < 50; i++) {
        const res = await get(
          t,
          a,
          `/api/v1/red-forms?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        expect(res.statusCode, res.body).toBe(200);
        const body = res.json();
        expect(body.items.length).toBeLessThanOrEqual(2);
        seen.push(...body.items.map((f: { id: string }) => f.id));
        cursor = body.nextCursor;
        if (!cursor) break;
      }
      expect(cursor).toBeNull();
      expect(seen).toEqual(all.items.map((f: { id: string }) => f.id));
      expect(errorOf(await get(t, a, '/api/v1/red-forms?limit=201')).code).toBe('VALIDATION_FAILED');
    });

    it('hides another tenant’s invoice from its red request', async () => {
      const blue = await issueBlue(t, a);
      const res = await post(t, b, `/api/v1/invoices/${blue.serialNo}/red`, {
        redSerialNo: nextSerial('RED'),
        reason: '01',
      });
      expect(res.statusCode).toBe(404);
      expect((await get(t, b, '/api/v1/red-forms')).json().items).toEqual([]);
    });
  });
}
