/**
 * THE RACE (#15 §4 Checks): 50 concurrent saves from 50 different bills for one invoice, each claiming 30 % of its
 * total, plus a private invoice each. The claims never exceed the total, the winners' bindings exist, the losers got
 * 409 and left nothing behind. On PostgreSQL a separate connection holds the invoice's claim row while the saves
 * start, and the test waits until several of them are blocked on it at once: they really run concurrently on
 * separate pool connections.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdRowLocks } from '../helpers/pg-locks.js';
import { errorOf, type SeededTenant } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { type BillsKit, createBillsKit } from './bills-kit.js';

const BILLS = 50;

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: the 50-way bill race`, () => {
    let k: BillsKit;
    let a: SeededTenant;

    beforeAll(async () => {
      k = await createBillsKit(dialect);
      a = await k.tenant('A');
    });
    afterAll(async () => k?.t.close());

    it('never claims more than the total; winners bound, losers 409 with no partial binding', async () => {
      const shared = await k.enter(a, '100.00');
      const own = [];
      for (let i = 0; i < BILLS; i++) own.push(await k.enter(a, '5.00'));
      // A first bill claims 10.00, so the counter row exists (PostgreSQL: the blocker below locks it).
      expect(
        (await k.putBill(a, 'first', { status: 30, invoices: [{ invoiceId: shared.id, amount: '10.00' }] })).statusCode,
      ).toBe(200);

      const postgres = k.t.config.db.driver === 'postgres' ? k.t.config.db : null;
      const blocker = postgres
        ? await holdRowLocks(
            postgres.url,
            'select claimed_fen from invoice_claims where received_invoice_id = $1 for update',
            [shared.id],
          )
        : null;
      const saves = Promise.all(
        own.map((mine, i) =>
          k.putBill(a, `race-${i}`, {
            status: 30,
            invoices: [
              { invoiceId: mine.id, amount: '5.00' },
              { invoiceId: shared.id, amount: '30.00' },
            ],
          }),
        ),
      );
      if (blocker) {
        try {
          // Several saves wait on the claim row at the same time, each on its own connection.
          await blocker.waitForLockWaits(5);
        } finally {
          await blocker.release();
        }
      }
      const results = await saves;
      const winners = results.flatMap((r, i) => (r.statusCode === 200 ? [i] : []));
      const losers = results.flatMap((r, i) => (r.statusCode !== 200 ? [i] : []));
      expect(winners).toHaveLength(3);
      expect(losers).toHaveLength(BILLS - 3);
      for (const i of losers) {
        expect(results[i]?.statusCode, results[i]?.body).toBe(409);
        expect(errorOf(results[i]!)).toMatchObject({ code: 'BILL_AMOUNT_EXCEEDED', details: { invoiceId: shared.id } });
      }

      const usage = (await k.item(a, shared.id)).usage;
      expect(usage).toMatchObject({ status: 'claimed', claimed: '100.00', remaining: '0.00' });
      expect(usage.bills.map((b) => b.billId).sort()).toEqual(['first', ...winners.map((i) => `race-${i}`)].sort());
      for (const i of winners) {
        const bill = await k.getBill(a, `race-${i}`);
        expect(bill.statusCode).toBe(200);
        expect(
          bill
            .json()
            .invoices.map((x: { invoiceId: string }) => x.invoiceId)
            .sort(),
        ).toEqual([own[i]!.id, shared.id].sort());
        expect((await k.item(a, own[i]!.id)).usage).toMatchObject({ status: 'claimed', claimed: '5.00' });
      }
      for (const i of losers) {
        expect((await k.getBill(a, `race-${i}`)).statusCode).toBe(404);
        expect((await k.item(a, own[i]!.id)).usage).toMatchObject({ status: 'unused', claimed: '0.00' });
        expect((await k.item(a, own[i]!.id)).usageStatus).toBe('unused');
      }
      // The bills list agrees: the first bill and the winners.
      const list = await k.t.app.inject({
        method: 'GET',
        url: `/api/v1/bills?invoiceId=${shared.id}&limit=200`,
        headers: a.auth,
      });
      expect(list.json().items).toHaveLength(4);

      // Unbinding frees room: one winner goes away, a loser now fits.
      expect((await k.deleteBill(a, `race-${winners[0]}`)).statusCode).toBe(204);
      const retry = await k.putBill(a, `race-${losers[0]}`, {
        status: 30,
        invoices: [
          { invoiceId: own[losers[0]!]!.id, amount: '5.00' },
          { invoiceId: shared.id, amount: '30.00' },
        ],
      });
      expect(retry.statusCode, retry.body).toBe(200);
      expect((await k.item(a, shared.id)).usage).toMatchObject({ claimed: '100.00', remaining: '0.00' });
    });
  });
}
