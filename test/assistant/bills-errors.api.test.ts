/**
 * Specific error codes of bills and vouchers (#15 §4–5) on both dialects: each refusal answers its own documented
 * code and status (docs/errors.md), never a generic one, and writes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, type SeededTenant } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { type BillsKit, createBillsKit, freshNumber } from './bills-kit.js';

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: bill and voucher error codes`, () => {
    let k: BillsKit;
    let a: SeededTenant;

    beforeAll(async () => {
      k = await createBillsKit(dialect);
      a = await k.tenant('A');
    });
    afterAll(async () => k?.t.close());

    it('refuses invoices found red-reversed, void or not on the platform, and one without a total', async () => {
      const db = k.t.runtime.deps.db.kysely;
      for (const [status, code] of [
        ['red_reversed', 'BILL_INVOICE_REVERSED'],
        ['void', 'BILL_INVOICE_VOID'],
        ['not_found', 'BILL_INVOICE_NOT_ON_PLATFORM'],
      ] as const) {
        const item = await k.enter(a, '50.00');
        // What the verification stage writes when the platform answers so.
        await db
          .updateTable('received_invoices')
          .set({ verification_status: status })
          .where('id', '=', item.id)
          .execute();
        const res = await k.putBill(a, `bad-${status}`, {
          status: 30,
          invoices: [{ invoiceId: item.id, amount: '1.00' }],
        });
        expect(res.statusCode, res.body).toBe(422);
        expect(errorOf(res)).toMatchObject({ code, details: { invoiceId: item.id } });
        expect((await k.getBill(a, `bad-${status}`)).statusCode).toBe(404);
        expect((await k.item(a, item.id)).usageStatus).toBe('unused');
      }
      const noTotal = await k.t.app.inject({
        method: 'POST',
        url: '/api/v1/received-invoices',
        headers: a.auth,
        payload: { number: freshNumber(), issueDate: '2025-05-20', amount: '10.00' },
      });
      expect(noTotal.statusCode, noTotal.body).toBe(201);
      const id = noTotal.json().items[0].id;
      const res = await k.putBill(a, 'no-total', { status: 30, invoices: [{ invoiceId: id, amount: '1.00' }] });
      expect(res.statusCode, res.body).toBe(422);
      expect(errorOf(res)).toMatchObject({ code: 'BILL_INVOICE_NO_TOTAL', details: { invoiceId: id } });
    });

    it('answers 404 with the resource’s own code for unknown bills and vouchers', async () => {
      for (const res of [await k.getBill(a, 'nope'), await k.deleteBill(a, 'nope')]) {
        expect(res.statusCode).toBe(404);
        expect(errorOf(res).code).toBe('BILL_NOT_FOUND');
      }
      for (const method of ['GET', 'DELETE'] as const) {
        const res = await k.t.app.inject({ method, url: '/api/v1/vouchers/OA/nope', headers: a.auth });
        expect(res.statusCode).toBe(404);
        expect(errorOf(res).code).toBe('VOUCHER_NOT_FOUND');
      }
    });

    it('refuses a voucher naming an invoice or a bill that does not exist, or an unknown business system', async () => {
      const item = await k.enter(a, '20.00');
      let res = await k.putVoucher(a, 'v-bad', { billIds: [], invoiceIds: [item.id, 'rcv_nope'] });
      expect(res.statusCode, res.body).toBe(422);
      expect(errorOf(res)).toMatchObject({ code: 'VOUCHER_INVOICE_NOT_FOUND', details: { invoiceIds: ['rcv_nope'] } });
      res = await k.putVoucher(a, 'v-bad', { billIds: ['no-such-bill'], invoiceIds: [] });
      expect(res.statusCode, res.body).toBe(422);
      expect(errorOf(res)).toMatchObject({ code: 'VOUCHER_BILL_NOT_FOUND', details: { billIds: ['no-such-bill'] } });
      res = await k.putVoucher(a, 'v-bad', { billIds: [], invoiceIds: [item.id] }, 'NOPE');
      expect(res.statusCode, res.body).toBe(422);
      expect(errorOf(res).code).toBe('BILL_RESOURCE_UNKNOWN');
      // Nothing was written: the voucher does not exist, the invoice is not booked.
      expect(
        (await k.t.app.inject({ method: 'GET', url: '/api/v1/vouchers/OA/v-bad', headers: a.auth })).statusCode,
      ).toBe(404);
      expect((await k.item(a, item.id)).usageStatus).toBe('unused');
    });
  });
}
