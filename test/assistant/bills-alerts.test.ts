/**
 * An invoice found red-reversed after binding (#15 §4): the real verification against the sandbox platform finds it,
 * the bill gets an alert and `bill.invoice_changed` (enqueued in the verification's transaction), once per status.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrg } from '../../src/modules/orgs/index.js';
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
import { type BillsKit, createBillsKit } from './bills-kit.js';

const HOUR = 3_600_000;

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: bill alerts`, () => {
    let k: BillsKit;
    let a: SeededTenant;
    const issuer = newTenant();

    beforeAll(async () => {
      k = await createBillsKit(dialect);
      a = await k.tenant('A');
      // The invoices are addressed to this buyer: an org of tenant A (compliance: the buyer is us).
      await createOrg({ db: k.t.runtime.deps.db.kysely, clock: k.t.clock }, a.tenantId, {
        taxId: BUYER_TAX_ID,
        name: '示例购买方有限公司',
      });
    });
    afterAll(async () => k?.t.close());

    const sandbox = () => {
      const s = k.t.runtime.sandbox;
      if (!s) throw new Error('sandbox expected');
      return s;
    };
    const today = () => new Date(k.t.clock.now() + 8 * HOUR).toISOString().slice(0, 10);

    it('alerts the bills binding an invoice that a later verification finds red-reversed', async () => {
      const invoice = blueInvoice(['100.00', '200.00']);
      const blue = { ...(await sandbox().issue(issueRequest(issuer, invoice))), invoice };
      const item = await k.enter(a, '318.00', blue.number, today());
      await k.drain();
      expect((await k.item(a, item.id)).verification.status).toBe('normal');
      let res = await k.putBill(a, 'red-1', { status: 30, invoices: [{ invoiceId: item.id, amount: '100.00' }] });
      expect(res.statusCode, res.body).toBe(200);
      res = await k.putBill(a, 'red-2', { status: 30, invoices: [{ invoiceId: item.id, amount: '18.00' }] });
      expect(res.statusCode, res.body).toBe(200);

      // The seller reverses it in full; the employee's re-verification finds it.
      for (const [lineNo, amount, tax] of [
        [1, '-100.00', '-6.00'],
        [2, '-200.00', '-12.00'],
      ] as const) {
        const form = await sandbox().applyRedForm(
          redFormRequest(issuer, blue, '02', [redLine(lineNo, amount, tax)], { amount, tax }),
        );
        await sandbox().issue(
          issueRequest(issuer, redInvoice(blue.number, [amount]), {
            red: { blueNumber: blue.number, redFormId: form.id, redFormNo: form.formNo },
          }),
        );
      }
      res = await k.t.app.inject({
        method: 'POST',
        url: `/api/v1/received-invoices/${item.id}/verify`,
        headers: a.auth,
      });
      expect(res.statusCode).toBe(202);
      await k.drain();
      expect((await k.item(a, item.id)).verification.status).toBe('red_reversed');

      for (const billId of ['red-1', 'red-2']) {
        const bill = (await k.getBill(a, billId)).json();
        expect(bill.alerts).toEqual([
          { invoiceId: item.id, status: 'red_reversed', message: '发票已红冲', at: expect.any(String) },
        ]);
      }
      const changed = k.eventsOf('bill.invoice_changed');
      expect(changed.map((e) => e.data?.billId).sort()).toEqual(['red-1', 'red-2']);
      expect(changed[0]?.data).toMatchObject({
        businessSystemCode: 'OA',
        invoiceId: item.id,
        verificationStatus: 'red_reversed',
      });
      const alerted = await k.t.app.inject({ method: 'GET', url: '/api/v1/bills?alerted=true', headers: a.auth });
      expect(
        alerted
          .json()
          .items.map((b: { billId: string }) => b.billId)
          .sort(),
      ).toEqual(['red-1', 'red-2']);

      // Verified again, still red: no second alert or event.
      await k.t.app.inject({ method: 'POST', url: `/api/v1/received-invoices/${item.id}/verify`, headers: a.auth });
      await k.drain();
      expect(k.eventsOf('bill.invoice_changed')).toHaveLength(2);
      expect((await k.getBill(a, 'red-1')).json().alerts).toHaveLength(1);

      // A red-reversed invoice takes no new claim; the bills may still release it.
      res = await k.putBill(a, 'red-3', { status: 30, invoices: [{ invoiceId: item.id, amount: '1.00' }] });
      expect(res.statusCode).toBe(422);
      // The compliance rule on the verification result blocks it, and answers before the status check would.
      expect(errorOf(res)).toMatchObject({
        code: 'BILL_INVOICE_BLOCKED',
        message: '查验结果：已红冲',
        details: { invoiceId: item.id, rule: 'verification' },
      });
      expect((await k.deleteBill(a, 'red-2')).statusCode).toBe(204);
      // A bill that drops the invoice drops its alert.
      const other = await k.enter(a, '5.00');
      res = await k.putBill(a, 'red-1', {
        status: 30,
        invoices: [
          { invoiceId: item.id, amount: '100.00' },
          { invoiceId: other.id, amount: '5.00' },
        ],
      });
      expect(res.json().alerts).toHaveLength(1);
      res = await k.putBill(a, 'red-1', { status: 30, invoices: [{ invoiceId: other.id, amount: '5.00' }] });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().alerts).toEqual([]);
      res = await k.putBill(a, 'red-1', { status: 30, invoices: [{ invoiceId: item.id, amount: '100.00' }] });
      expect(res.statusCode).toBe(422);
      expect((await k.item(a, item.id)).usage).toMatchObject({ claimed: '0.00', status: 'unused' });
    });
  });
}
