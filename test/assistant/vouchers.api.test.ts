/**
 * Vouchers (voucherSave / delete, #15 §5) on both dialects: booking the invoices of bills and listed invoices,
 * one voucher per invoice, booked bindings frozen, un-booking on delete, the pool's booked filter, tenant walls.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, type SeededTenant } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { type BillsKit, seedBillsSuite } from './bills-kit.js';

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: vouchers`, () => {
    let k: BillsKit;
    let a: SeededTenant;
    let b: SeededTenant;

    beforeAll(async () => {
      ({ k, a, b } = await seedBillsSuite(dialect));
    });
    afterAll(async () => k?.t.close());

    it('books the invoices of bills and listed ones; booked bindings are frozen; delete un-books', async () => {
      const inv1 = await k.enter(a, '100.00');
      const inv2 = await k.enter(a, '40.00');
      const loose = await k.enter(a, '8.00');
      expect(
        (
          await k.putBill(a, 'vb-1', {
            status: 60,
            invoices: [
              { invoiceId: inv1.id, amount: '100.00' },
              { invoiceId: inv2.id, amount: '40.00' },
            ],
          })
        ).statusCode,
      ).toBe(200);
      let res = await k.putVoucher(a, 'v-1', {
        vouchNo: '记-0001',
        accountDate: '2025-06',
        businessDate: '2025-06-01',
        billIds: ['vb-1'],
        invoiceIds: [loose.id],
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ resource: 'OA', vouchId: 'v-1', vouchNo: '记-0001', invoiceCount: 3 });
      const rows = res.json().invoices as Array<{ invoiceId: string; billId: string | null }>;
      expect(rows.find((r) => r.invoiceId === inv1.id)?.billId).toBe('vb-1');
      expect(rows.find((r) => r.invoiceId === loose.id)?.billId).toBeNull();

      for (const inv of [inv1, inv2, loose]) {
        const view = await k.item(a, inv.id);
        expect(view.usageStatus).toBe('booked');
        expect(view.usage).toMatchObject({
          status: 'booked',
          voucher: { resource: 'OA', vouchId: 'v-1', vouchNo: '记-0001' },
        });
      }
      expect((await k.poolIds(a, 'usage=booked')).sort()).toEqual([inv1.id, inv2.id, loose.id].sort());

      // Booked: the bill cannot drop or change the invoice, nor be deleted; the item cannot be deleted.
      res = await k.putBill(a, 'vb-1', { status: 60, invoices: [{ invoiceId: inv1.id, amount: '100.00' }] });
      expect(res.statusCode).toBe(409);
      expect(errorOf(res)).toMatchObject({
        code: 'BILL_INVOICE_BOOKED',
        details: { invoiceId: inv2.id, vouchId: 'v-1' },
      });
      res = await k.putBill(a, 'vb-1', {
        status: 60,
        invoices: [
          { invoiceId: inv1.id, amount: '90.00' },
          { invoiceId: inv2.id, amount: '40.00' },
        ],
      });
      expect(errorOf(res).code).toBe('BILL_INVOICE_BOOKED');
      expect((await k.deleteBill(a, 'vb-1')).statusCode).toBe(409);
      res = await k.deleteItem(a, loose.id);
      expect(res.statusCode).toBe(409);
      // The bill's other fields may still change (its status, a remark).
      res = await k.putBill(a, 'vb-1', {
        status: 60,
        billNo: 'BX-9',
        invoices: [
          { invoiceId: inv1.id, amount: '100.00', remark: '已入账' },
          { invoiceId: inv2.id, amount: '40.00' },
        ],
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().invoices.find((i: { invoiceId: string }) => i.invoiceId === inv1.id).voucher).toMatchObject({
        vouchId: 'v-1',
      });

      // Another voucher cannot book them (nothing of it is written).
      const free = await k.enter(a, '3.00');
      res = await k.putVoucher(a, 'v-2', { invoiceIds: [free.id, inv2.id] });
      expect(res.statusCode).toBe(409);
      expect(errorOf(res)).toMatchObject({
        code: 'VOUCHER_INVOICE_BOOKED',
        details: { invoiceId: inv2.id, vouchId: 'v-1' },
      });
      expect(
        (await k.t.app.inject({ method: 'GET', url: '/api/v1/vouchers/OA/v-2', headers: a.auth })).statusCode,
      ).toBe(404);
      expect((await k.item(a, free.id)).usageStatus).toBe('unused');

      // Same save again: unchanged. Replace: the loose invoice leaves (unused again).
      res = await k.putVoucher(a, 'v-1', {
        vouchNo: '记-0001',
        accountDate: '2025-06',
        businessDate: '2025-06-01',
        billIds: ['vb-1'],
        invoiceIds: [loose.id],
      });
      expect(res.statusCode).toBe(200);
      res = await k.putVoucher(a, 'v-1', { vouchNo: '记-0001', accountDate: '2025-06', billIds: ['vb-1'] });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().invoiceCount).toBe(2);
      expect((await k.item(a, loose.id)).usage).toMatchObject({ status: 'unused', voucher: null });
      expect((await k.item(a, loose.id)).usageStatus).toBe('unused');

      // Lists and detail.
      const list = await k.t.app.inject({
        method: 'GET',
        url: `/api/v1/vouchers?invoiceId=${inv1.id}`,
        headers: a.auth,
      });
      expect(list.json().items.map((v: { vouchId: string }) => v.vouchId)).toEqual(['v-1']);
      const detail = await k.t.app.inject({ method: 'GET', url: '/api/v1/vouchers/OA/v-1', headers: a.auth });
      expect(
        detail
          .json()
          .invoices.map((i: { invoiceId: string }) => i.invoiceId)
          .sort(),
      ).toEqual([inv1.id, inv2.id].sort());

      // Delete: back to claimed (the bill still binds them); then the bill can change again.
      expect(
        (await k.t.app.inject({ method: 'DELETE', url: '/api/v1/vouchers/OA/v-1', headers: a.auth })).statusCode,
      ).toBe(204);
      expect(
        (await k.t.app.inject({ method: 'DELETE', url: '/api/v1/vouchers/OA/v-1', headers: a.auth })).statusCode,
      ).toBe(404);
      expect((await k.item(a, inv1.id)).usage).toMatchObject({ status: 'claimed', voucher: null });
      expect((await k.item(a, inv1.id)).usageStatus).toBe('claimed');
      expect((await k.deleteBill(a, 'vb-1')).statusCode).toBe(204);
      expect((await k.item(a, inv1.id)).usageStatus).toBe('unused');

      await k.drain();
      expect(k.eventsOf('voucher.saved').map((e) => e.data?.vouchId)).toEqual(['v-1', 'v-1']);
      expect(k.eventsOf('voucher.deleted')[0]?.data).toMatchObject({ businessSystemCode: 'OA', vouchId: 'v-1' });
    });

    it('refuses unknown bills and invoices, and keeps tenants apart', async () => {
      const inv = await k.enter(a, '10.00');
      let res = await k.putVoucher(a, 'v-x', { billIds: ['nope'] });
      expect(res.statusCode).toBe(422);
      expect(errorOf(res)).toMatchObject({ code: 'VOUCHER_BILL_NOT_FOUND', details: { billIds: ['nope'] } });
      res = await k.putVoucher(b, 'v-x', { invoiceIds: [inv.id] });
      expect(res.statusCode).toBe(422);
      expect(errorOf(res).code).toBe('VOUCHER_INVOICE_NOT_FOUND');
      res = await k.putVoucher(a, 'v-a', { invoiceIds: [inv.id] });
      expect(res.statusCode).toBe(200);
      expect(
        (await k.t.app.inject({ method: 'GET', url: '/api/v1/vouchers/OA/v-a', headers: b.auth })).statusCode,
      ).toBe(404);
      expect(
        (await k.t.app.inject({ method: 'DELETE', url: '/api/v1/vouchers/OA/v-a', headers: b.auth })).statusCode,
      ).toBe(404);
      expect((await k.t.app.inject({ method: 'GET', url: '/api/v1/vouchers', headers: b.auth })).json().items).toEqual(
        [],
      );
      res = await k.putVoucher(a, 'v-y', { invoiceIds: [inv.id] }, 'NOPE');
      expect(errorOf(res).code).toBe('BILL_RESOURCE_UNKNOWN');
    });
  });
}
