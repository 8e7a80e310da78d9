/**
 * Bills (billSave / delete, #15 §4) on both dialects through the API: bindings replaced atomically, claims across
 * bills never over an invoice's total, the pool's usage (报销状态) in step, idempotent saves, validation, events,
 * tenant walls.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, type SeededTenant } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { type BillsKit, seedBillsSuite } from './bills-kit.js';

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: bills`, () => {
    let k: BillsKit;
    let a: SeededTenant;
    let b: SeededTenant;

    beforeAll(async () => {
      ({ k, a, b } = await seedBillsSuite(dialect));
    });
    afterAll(async () => k?.t.close());

    it('saves, replaces and deletes a bill; the pool shows the usage; the same save twice writes nothing', async () => {
      const inv1 = await k.enter(a, '100.00');
      const inv2 = await k.enter(a, '50.00');
      expect(inv1.usage).toEqual({ status: 'unused', claimed: '0.00', remaining: '100.00', bills: [], voucher: null });
      const body = {
        billNo: 'BX-001',
        billType: 'er_dailyreimbursebill',
        status: 30,
        invoices: [
          { invoiceId: inv1.id, amount: '60.00', remark: '差旅', entryId: 'E1', extInfo: { costCenter: 'CC1' } },
          { invoiceId: inv2.id, amount: '50' },
        ],
        cover: [{ coverNo: 'C1', fileType: 1 }],
      };
      let res = await k.putBill(a, 'bill-1', body);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({
        resource: 'OA',
        billId: 'bill-1',
        billNo: 'BX-001',
        status: 'in_use',
        statusName: '在用',
        invoiceCount: 2,
        claimed: '110.00',
        cover: [{ coverNo: 'C1', fileType: 1 }],
        alerts: [],
      });
      const invoices = res.json().invoices as Array<Record<string, unknown>>;
      expect(invoices.find((i) => i.invoiceId === inv1.id)).toMatchObject({
        amount: '60.00',
        remark: '差旅',
        entryId: 'E1',
        extInfo: { costCenter: 'CC1' },
        invoice: { total: '100.00', usageStatus: 'claimed' },
        voucher: null,
      });

      let view = await k.item(a, inv1.id);
      expect(view.usageStatus).toBe('claimed');
      expect(view.usage).toEqual({
        status: 'claimed',
        claimed: '60.00',
        remaining: '40.00',
        bills: [{ resource: 'OA', billId: 'bill-1', billNo: 'BX-001', amount: '60.00', status: 'in_use' }],
        voucher: null,
      });
      // The pool filters by usage; a claimed invoice cannot be deleted.
      expect((await k.poolIds(a, 'usage=claimed')).sort()).toEqual([inv1.id, inv2.id].sort());
      expect(await k.poolIds(a, 'usage=unused')).not.toContain(inv1.id);
      res = await k.deleteItem(a, inv1.id);
      expect(res.statusCode).toBe(409);
      // The export carries the column.
      const csv = await k.t.app.inject({
        method: 'GET',
        url: `/api/v1/received-invoices/export.csv?ids=${inv1.id}`,
        headers: a.auth,
      });
      expect(csv.body).toContain('报销状态');
      expect(csv.body).toContain('已报销');

      // The same save again: 200, nothing written (no event either: counted below).
      const before = (await k.getBill(a, 'bill-1')).json().updatedAt;
      k.t.clock.advance(1000);
      res = await k.putBill(a, 'bill-1', body);
      expect(res.statusCode).toBe(200);
      expect(res.json().updatedAt).toBe(before);

      // Replace: inv2 leaves the bill (free again), inv1 is claimed in full; status 已用.
      res = await k.putBill(a, 'bill-1', { status: 'used', invoices: [{ invoiceId: inv1.id, amount: '100.00' }] });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ status: 'used', invoiceCount: 1, claimed: '100.00', billNo: null });
      expect((await k.item(a, inv2.id)).usage).toMatchObject({
        status: 'unused',
        claimed: '0.00',
        remaining: '50.00',
        bills: [],
      });
      expect((await k.item(a, inv2.id)).usageStatus).toBe('unused');
      view = await k.item(a, inv1.id);
      expect(view.usage).toMatchObject({ status: 'claimed', claimed: '100.00', remaining: '0.00' });
      // Fully used: no other bill can bind it.
      res = await k.putBill(a, 'bill-x', { status: 30, invoices: [{ invoiceId: inv1.id, amount: '0.01' }] });
      expect(res.statusCode).toBe(409);
      expect(errorOf(res)).toMatchObject({
        code: 'BILL_AMOUNT_EXCEEDED',
        details: { invoiceId: inv1.id, remaining: '0.00' },
      });

      // Delete: unbound, free again; 404 the second time.
      res = await k.deleteBill(a, 'bill-1');
      expect(res.statusCode).toBe(204);
      expect((await k.item(a, inv1.id)).usage).toMatchObject({
        status: 'unused',
        claimed: '0.00',
        remaining: '100.00',
      });
      expect((await k.item(a, inv1.id)).usageStatus).toBe('unused');
      expect((await k.getBill(a, 'bill-1')).statusCode).toBe(404);
      expect((await k.deleteBill(a, 'bill-1')).statusCode).toBe(404);
      // Events to the business system: saved (the first save and the replacement, not the repeat), deleted.
      await k.drain();
      const saved = k.eventsOf('bill.saved').filter((e) => e.data?.billId === 'bill-1');
      expect(saved.map((e) => e.data?.status)).toEqual(['in_use', 'used']);
      expect(saved[0]?.data).toMatchObject({
        businessSystemCode: 'OA',
        resource: 'OA',
        billNo: 'BX-001',
        invoices: expect.arrayContaining([{ invoiceId: inv1.id, amount: '60.00' }]),
      });
      expect(k.eventsOf('bill.deleted').map((e) => e.data?.billId)).toEqual(['bill-1']);
      // Free again: deletable.
      res = await k.deleteItem(a, inv2.id);
      expect(res.statusCode).toBe(204);
    });

    it('splits an invoice across two bills; an over-claim refuses the whole save and writes nothing', async () => {
      const shared = await k.enter(a, '100.00');
      const other = await k.enter(a, '20.00');
      let res = await k.putBill(a, 'split-1', { status: 1, invoices: [{ invoiceId: shared.id, amount: '70.00' }] });
      expect(res.statusCode, res.body).toBe(200);
      res = await k.putBill(a, 'split-2', {
        status: 1,
        invoices: [
          { invoiceId: other.id, amount: '20.00' },
          { invoiceId: shared.id, amount: '30.01' },
        ],
      });
      expect(res.statusCode).toBe(409);
      expect(errorOf(res)).toMatchObject({
        code: 'BILL_AMOUNT_EXCEEDED',
        details: { invoiceId: shared.id, remaining: '30.00' },
      });
      expect((await k.getBill(a, 'split-2')).statusCode).toBe(404);
      expect((await k.item(a, other.id)).usage).toMatchObject({ status: 'unused', claimed: '0.00' });
      res = await k.putBill(a, 'split-2', {
        status: 1,
        invoices: [
          { invoiceId: other.id, amount: '20.00' },
          { invoiceId: shared.id, amount: '30.00' },
        ],
      });
      expect(res.statusCode, res.body).toBe(200);
      const usage = (await k.item(a, shared.id)).usage;
      expect(usage).toMatchObject({ status: 'claimed', claimed: '100.00', remaining: '0.00' });
      expect(usage.bills.map((x) => [x.billId, x.amount]).sort()).toEqual([
        ['split-1', '70.00'],
        ['split-2', '30.00'],
      ]);
      // Lowering one bill frees room for the other; unbinding one leaves the other's claim.
      res = await k.putBill(a, 'split-1', { status: 1, invoices: [{ invoiceId: shared.id, amount: '50.00' }] });
      expect(res.statusCode).toBe(200);
      expect((await k.item(a, shared.id)).usage).toMatchObject({ claimed: '80.00', remaining: '20.00' });
      expect((await k.deleteBill(a, 'split-2')).statusCode).toBe(204);
      expect((await k.item(a, shared.id)).usage).toMatchObject({
        status: 'claimed',
        claimed: '50.00',
        remaining: '50.00',
      });
      expect((await k.item(a, other.id)).usage.status).toBe('unused');
      // Lists: by invoice, by status.
      const list = await k.t.app.inject({
        method: 'GET',
        url: `/api/v1/bills?invoiceId=${shared.id}`,
        headers: a.auth,
      });
      expect(list.json().items.map((x: { billId: string }) => x.billId)).toEqual(['split-1']);
    });

    it('refuses a blocked invoice with the rule’s reason; a pending one may be bound', async () => {
      const inv = await k.enter(a, '10.00');
      const pending = await k.putBill(a, 'blk-0', { status: 30, invoices: [{ invoiceId: inv.id, amount: '1.00' }] });
      expect(pending.statusCode, pending.body).toBe(200);
      const blocked = await k.enter(a, '10.00');
      await k.drain(); // compliance: a manual entry names no buyer → blocked
      const view = await k.item(a, blocked.id);
      expect(view.compliance.result).toBe('block');
      const finding = view.compliance.findings.find((f) => f.level === 'block' && f.outcome === 'fail');
      expect(finding?.reason).toBeTruthy();
      const res = await k.putBill(a, 'blk-1', { status: 30, invoices: [{ invoiceId: blocked.id, amount: '1.00' }] });
      expect(res.statusCode).toBe(422);
      expect(errorOf(res)).toMatchObject({
        code: 'BILL_INVOICE_BLOCKED',
        message: finding?.reason,
        details: { invoiceId: blocked.id, rule: finding?.rule },
      });
      expect((await k.getBill(a, 'blk-1')).statusCode).toBe(404);
      // An existing binding stays savable (its claim does not grow); growing it is refused once blocked.
      expect(
        (await k.putBill(a, 'blk-0', { status: 60, invoices: [{ invoiceId: inv.id, amount: '1.00' }] })).statusCode,
      ).toBe(200);
      expect(
        (await k.putBill(a, 'blk-0', { status: 60, invoices: [{ invoiceId: inv.id, amount: '2.00' }] })).statusCode,
      ).toBe(422);
    });

    it('validates: unique invoices, amounts > 0 with 2 decimals, ≤ 500 invoices, known resource and invoices', async () => {
      const inv = await k.enter(a, '10.00');
      const cases: Array<[Record<string, unknown>, number, string, string?]> = [
        [
          {
            status: 30,
            invoices: [
              { invoiceId: inv.id, amount: '1.00' },
              { invoiceId: inv.id, amount: '2.00' },
            ],
          },
          400,
          'BILL_DUPLICATE_INVOICE',
        ],
        [{ status: 30, invoices: [{ invoiceId: inv.id, amount: '0.00' }] }, 400, 'BILL_AMOUNT_INVALID'],
        [{ status: 30, invoices: [{ invoiceId: inv.id, amount: '1.234' }] }, 400, 'VALIDATION_FAILED'],
        [{ status: 30, invoices: [{ invoiceId: inv.id, amount: -1 }] }, 400, 'VALIDATION_FAILED'],
        [{ status: 2, invoices: [] }, 400, 'VALIDATION_FAILED'],
        [{ status: 30, invoices: [{ invoiceId: 'rcv_nope', amount: '1.00' }] }, 422, 'BILL_INVOICE_NOT_FOUND'],
        [{ status: 30, invoices: [{ invoiceId: inv.id, amount: '10.01' }] }, 409, 'BILL_AMOUNT_EXCEEDED'],
        [
          { status: 30, invoices: Array.from({ length: 501 }, (_, i) => ({ invoiceId: `rcv_${i}`, amount: '1.00' })) },
          400,
          'VALIDATION_FAILED',
        ],
        [{ status: 30, invoices: [] }, 422, 'BILL_RESOURCE_UNKNOWN', 'NOPE'],
      ];
      for (const [body, status, code, resource] of cases) {
        const res = await k.putBill(a, 'v-1', body, resource);
        expect(res.statusCode, `${code} ${res.body}`).toBe(status);
        expect(errorOf(res).code).toBe(code);
      }
      expect((await k.getBill(a, 'v-1')).statusCode).toBe(404);
    });

    it('keeps tenants apart: B can neither bind nor see A’s invoices and bills', async () => {
      const inv = await k.enter(a, '10.00');
      expect(
        (await k.putBill(a, 'wall-1', { status: 30, invoices: [{ invoiceId: inv.id, amount: '5.00' }] })).statusCode,
      ).toBe(200);
      let res = await k.putBill(b, 'wall-1', { status: 30, invoices: [{ invoiceId: inv.id, amount: '5.00' }] });
      expect(res.statusCode).toBe(422);
      expect(errorOf(res).code).toBe('BILL_INVOICE_NOT_FOUND');
      expect((await k.getBill(b, 'wall-1')).statusCode).toBe(404);
      expect((await k.deleteBill(b, 'wall-1')).statusCode).toBe(404);
      res = await k.t.app.inject({ method: 'GET', url: '/api/v1/bills', headers: b.auth });
      expect(res.json().items).toEqual([]);
      res = await k.t.app.inject({ method: 'GET', url: '/api/v1/bills?resource=OA', headers: a.auth });
      expect(res.json().items.map((x: { billId: string }) => x.billId)).toContain('wall-1');
      // A's invoice still carries only A's claim.
      expect((await k.item(a, inv.id)).usage).toMatchObject({ claimed: '5.00', remaining: '5.00' });
    });
  });
}
