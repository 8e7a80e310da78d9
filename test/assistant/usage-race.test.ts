/**
 * Usage status under concurrency (#15 §4): 50 concurrent saves from 50 different bills compete for one invoice while
 * the voucher booking another of their invoices is deleted. The claims never exceed the invoice's total, and every
 * invoice's stored usage status (`usageStatus`, what the pool filters on) matches its bindings and booking
 * (`usage`, read live from the bills and vouchers). On PostgreSQL a separate connection holds the contested claim
 * row until every save waits, then the voucher is deleted: a save that decided the status before the invoices were
 * locked would leave a bound invoice `unused`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdRowLocks } from '../helpers/pg-locks.js';
import { buildTestApp, errorOf, type SeededTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { waitFor } from '../helpers/wait.js';
import { type BillsKit, createBillsKit, type PoolItem } from './bills-kit.js';

const BILLS = 50;

const fen = (amount: string) => Math.round(Number(amount) * 100);

/** What the status must be from the item's bindings and booking, and the claim total from its bills. */
function expectConsistent(item: PoolItem, totalFen: number) {
  const expected = item.usage.voucher ? 'booked' : item.usage.bills.length > 0 ? 'claimed' : 'unused';
  expect(item.usage.status, item.id).toBe(expected);
  expect(item.usageStatus, item.id).toBe(expected);
  const claimedFen = item.usage.bills.reduce((sum, b) => sum + fen(b.amount), 0);
  expect(fen(item.usage.claimed), item.id).toBe(claimedFen);
  expect(claimedFen, item.id).toBeLessThanOrEqual(totalFen);
}

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: usage status under concurrent bill and voucher saves`, () => {
    let k: BillsKit;
    let a: SeededTenant;

    beforeAll(async () => {
      k = await createBillsKit(dialect);
      a = await k.tenant('A');
    });
    afterAll(async () => k?.t.close());

    it('50 bills race: claims within the total, stored status = bindings, also while a voucher goes', async () => {
      const [lo, hi] = [await k.enter(a, '100.00'), await k.enter(a, '100.00')].sort((x, y) => (x.id < y.id ? -1 : 1));
      // `lo` is contested (10.00 taken, 30.00 per bill: three more fit); `hi` is booked by a voucher, unbound.
      const first = await k.putBill(a, 'first', { status: 30, invoices: [{ invoiceId: lo!.id, amount: '10.00' }] });
      expect(first.statusCode, first.body).toBe(200);
      const booked = await k.putVoucher(a, 'v-hi', { billIds: [], invoiceIds: [hi!.id] });
      expect(booked.statusCode, booked.body).toBe(200);
      expect((await k.item(a, hi!.id)).usageStatus).toBe('booked');

      const postgres = k.t.config.db.driver === 'postgres' ? k.t.config.db : null;
      const deleteVoucher = (app: TestApp['app']) =>
        app.inject({ method: 'DELETE', url: '/api/v1/vouchers/OA/v-hi', headers: a.auth });
      const saveAll = () =>
        Promise.all(
          Array.from({ length: BILLS }, (_, i) =>
            k.putBill(a, `race-${i}`, {
              status: 30,
              invoices: [
                { invoiceId: lo!.id, amount: '30.00' },
                { invoiceId: hi!.id, amount: '1.00' },
              ],
            }),
          ),
        );
      let saves: ReturnType<typeof saveAll>;
      let unbooked: ReturnType<typeof deleteVoucher>;
      if (postgres) {
        // The voucher is deleted through a second node (its own pool): the first node's connections all wait.
        const other = await buildTestApp(dialect, {}, undefined, { sameDatabaseAs: k.t });
        const blocker = await holdRowLocks(
          postgres.url,
          'select claimed_fen from invoice_claims where received_invoice_id = $1 for update',
          [lo!.id],
        );
        try {
          saves = saveAll();
          // Every connection of the first node waits (a save on the claim row, the others on the invoices).
          await blocker.waitForLockWaits(postgres.poolSize);
          let settled = false;
          unbooked = deleteVoucher(other.app);
          void unbooked.then(() => {
            settled = true;
          });
          // The delete either finishes at once or waits for the invoice a save holds.
          await waitFor(
            'the voucher delete to finish or wait on a lock',
            async () => settled || (await blocker.lockWaits()) > postgres.poolSize,
          );
        } finally {
          await blocker.release();
        }
        await unbooked;
        await other.close();
      } else {
        saves = saveAll();
        unbooked = deleteVoucher(k.t.app);
      }
      const results = await saves;
      expect((await unbooked).statusCode).toBe(204);

      const winners = results.flatMap((r, i) => (r.statusCode === 200 ? [i] : []));
      expect(winners).toHaveLength(3);
      for (const r of results.filter((x) => x.statusCode !== 200)) {
        expect(r.statusCode, r.body).toBe(409);
        expect(errorOf(r)).toMatchObject({ code: 'BILL_AMOUNT_EXCEEDED', details: { invoiceId: lo!.id } });
      }
      const loView = await k.item(a, lo!.id);
      const hiView = await k.item(a, hi!.id);
      expectConsistent(loView, 10000);
      expectConsistent(hiView, 10000);
      expect(loView).toMatchObject({ usageStatus: 'claimed', usage: { claimed: '100.00', remaining: '0.00' } });
      // The voucher is gone, the winners bind `hi`: claimed, not unused.
      expect(hiView).toMatchObject({ usageStatus: 'claimed', usage: { claimed: '3.00', voucher: null } });
      expect(hiView.usage.bills.map((b) => b.billId).sort()).toEqual(winners.map((i) => `race-${i}`).sort());
      // The pool's filter (stored status) agrees.
      const claimedList = await k.t.app.inject({
        method: 'GET',
        url: '/api/v1/received-invoices?usage=claimed&limit=200',
        headers: a.auth,
      });
      expect(
        claimedList
          .json()
          .items.map((x: { id: string }) => x.id)
          .sort(),
      ).toEqual([lo!.id, hi!.id].sort());
    });

    it('bills deleted, re-saved and a voucher booking at once: the stored status still follows the bindings', async () => {
      const items = [];
      for (let i = 0; i < 4; i++) items.push(await k.enter(a, '40.00'));
      for (let i = 0; i < 10; i++) {
        const res = await k.putBill(a, `churn-${i}`, {
          status: 30,
          invoices: items.map((it) => ({ invoiceId: it.id, amount: '2.00' })),
        });
        expect(res.statusCode, res.body).toBe(200);
      }
      const ops: Array<Promise<{ statusCode: number; body: string }>> = [];
      for (let i = 0; i < 10; i++) ops.push(k.deleteBill(a, `churn-${i}`));
      for (let i = 0; i < 10; i++) {
        ops.push(
          k.putBill(a, `churn-new-${i}`, {
            status: 30,
            invoices: [{ invoiceId: items[i % 2]!.id, amount: '3.00' }],
          }),
        );
      }
      ops.push(k.putVoucher(a, 'v-churn', { billIds: [], invoiceIds: [items[1]!.id, items[2]!.id] }));
      // A bill whose invoice the voucher booked first cannot go (409 BILL_INVOICE_BOOKED); everything else succeeds.
      for (const r of await Promise.all(ops)) {
        if (r.statusCode === 409) expect(errorOf(r as never).code).toBe('BILL_INVOICE_BOOKED');
        else expect([200, 204], r.body).toContain(r.statusCode);
      }
      const views = await Promise.all(items.map((it) => k.item(a, it.id)));
      for (const v of views) expectConsistent(v, 4000);
      expect(views.map((v) => v.usageStatus)).toEqual(['claimed', 'booked', 'booked', expect.any(String)]);

      // The voucher goes: its invoices fall back to what their bindings say.
      const gone = await k.t.app.inject({ method: 'DELETE', url: '/api/v1/vouchers/OA/v-churn', headers: a.auth });
      expect(gone.statusCode).toBe(204);
      for (const v of await Promise.all(items.map((it) => k.item(a, it.id)))) expectConsistent(v, 4000);
    });
  });
}
