/**
 * Specific error codes of bills and vouchers (#15 §4–5) on both dialects: each refusal answers its own documented
 * code and status (docs/errors.md), never a generic one, and writes nothing. One table per kind of refusal; the codes
 * covered: BILL_INVOICE_REVERSED, BILL_INVOICE_VOID, BILL_INVOICE_NOT_ON_PLATFORM, BILL_INVOICE_NO_TOTAL,
 * BILL_NOT_FOUND, VOUCHER_NOT_FOUND, VOUCHER_INVOICE_NOT_FOUND, VOUCHER_BILL_NOT_FOUND, BILL_RESOURCE_UNKNOWN.
 */
import type { LightMyRequestResponse } from 'fastify';
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

    /** An invoice in the pool whose verification found `status` (what the verification stage writes). */
    const verifiedAs = (status: 'red_reversed' | 'void' | 'not_found') => async () => {
      const item = await k.enter(a, '50.00');
      await k.t.runtime.deps.db.kysely
        .updateTable('received_invoices')
        .set({ verification_status: status })
        .where('id', '=', item.id)
        .execute();
      return item.id;
    };
    /** An invoice entered by hand with an amount but no total. */
    const withoutTotal = async () => {
      const res = await k.t.app.inject({
        method: 'POST',
        url: '/api/v1/received-invoices',
        headers: a.auth,
        payload: { number: freshNumber(), issueDate: '2025-05-20', amount: '10.00' },
      });
      expect(res.statusCode, res.body).toBe(201);
      return res.json<{ items: Array<{ id: string }> }>().items[0]!.id;
    };

    it.each([
      { what: 'found red-reversed', invoice: verifiedAs('red_reversed'), code: 'BILL_INVOICE_REVERSED' },
      { what: 'found void', invoice: verifiedAs('void'), code: 'BILL_INVOICE_VOID' },
      { what: 'not on the platform', invoice: verifiedAs('not_found'), code: 'BILL_INVOICE_NOT_ON_PLATFORM' },
      { what: 'without a total', invoice: withoutTotal, code: 'BILL_INVOICE_NO_TOTAL' },
    ])('refuses a claim on an invoice $what: 422 $code, nothing written', async ({ invoice, code }) => {
      const id = await invoice();
      const billId = `bad-${code}`;
      const res = await k.putBill(a, billId, { status: 30, invoices: [{ invoiceId: id, amount: '1.00' }] });
      expect(res.statusCode, res.body).toBe(422);
      expect(errorOf(res)).toMatchObject({ code, details: { invoiceId: id } });
      expect((await k.getBill(a, billId)).statusCode).toBe(404);
      expect((await k.item(a, id)).usageStatus).toBe('unused');
    });

    it.each<{ what: string; send: () => Promise<LightMyRequestResponse>; code: string }>([
      { what: 'GET an unknown bill', send: () => k.getBill(a, 'nope'), code: 'BILL_NOT_FOUND' },
      { what: 'DELETE an unknown bill', send: () => k.deleteBill(a, 'nope'), code: 'BILL_NOT_FOUND' },
      ...(['GET', 'DELETE'] as const).map((method) => ({
        what: `${method} an unknown voucher`,
        send: () => k.t.app.inject({ method, url: '/api/v1/vouchers/OA/nope', headers: a.auth }),
        code: 'VOUCHER_NOT_FOUND',
      })),
    ])('answers $what with 404 $code', async ({ send, code }) => {
      const res = await send();
      expect(res.statusCode, res.body).toBe(404);
      expect(errorOf(res).code).toBe(code);
    });

    it.each<{
      what: string;
      body: (invoiceId: string) => { billIds: string[]; invoiceIds: string[] };
      resource?: string;
      error: { code: string; details?: Record<string, unknown> };
    }>([
      {
        what: 'an invoice that does not exist',
        body: (id) => ({ billIds: [], invoiceIds: [id, 'rcv_nope'] }),
        error: { code: 'VOUCHER_INVOICE_NOT_FOUND', details: { invoiceIds: ['rcv_nope'] } },
      },
      {
        what: 'a bill that does not exist',
        body: () => ({ billIds: ['no-such-bill'], invoiceIds: [] }),
        error: { code: 'VOUCHER_BILL_NOT_FOUND', details: { billIds: ['no-such-bill'] } },
      },
      {
        what: 'an unknown business system',
        body: (id) => ({ billIds: [], invoiceIds: [id] }),
        resource: 'NOPE',
        error: { code: 'BILL_RESOURCE_UNKNOWN' },
      },
    ])('refuses a voucher naming $what: 422 with its code, nothing written', async ({ body, resource, error }) => {
      const item = await k.enter(a, '20.00');
      const res = await k.putVoucher(a, 'v-bad', body(item.id), resource);
      expect(res.statusCode, res.body).toBe(422);
      expect(errorOf(res)).toMatchObject(error);
      // Nothing was written: the voucher does not exist, the invoice is not booked.
      expect(
        (await k.t.app.inject({ method: 'GET', url: '/api/v1/vouchers/OA/v-bad', headers: a.auth })).statusCode,
      ).toBe(404);
      expect((await k.item(a, item.id)).usageStatus).toBe('unused');
    });
  });
}
