import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import {
  blueInvoice,
  createSandboxKit,
  issueBlue,
  issueRequest,
  newTenant,
  redFormRequest,
  redInvoice,
  redLine,
  type SandboxKit,
  SELLER_TAX_ID,
} from './sandbox-kit.js';

const HOUR = 3_600_000;
const FULL = [redLine(1, '-100.00', '-6.00'), redLine(2, '-200.00', '-12.00')];
const FULL_TOTALS = { amount: '-300.00', tax: '-18.00' };

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: sandbox red confirmation forms`, () => {
    let kit: SandboxKit;
    beforeAll(async () => {
      kit = await createSandboxKit(dialect);
    });
    afterAll(async () => kit?.cleanup());

    it('confirms a full form at once by default, numbers it region + YYMMDD + 8 digits', async () => {
      const tenantId = newTenant();
      const blue = await issueBlue(kit, tenantId);
      const form = await kit.channel.applyRedForm(redFormRequest(tenantId, blue, '01', FULL, FULL_TOTALS));
      expect(form).toMatchObject({ status: 'confirmed', blueNumber: blue.number, amount: '-300.00', tax: '-18.00' });
      expect(form.formNo).toMatch(/^310101250601\d{8}$/);
      expect(form.confirmBy).toBe(kit.clock.now() + 72 * HOUR);
      expect(await kit.channel.getRedForm({ tenantId }, form.id)).toEqual(form);
    });

    it('is idempotent by requestId', async () => {
      const tenantId = newTenant();
      const blue = await issueBlue(kit, tenantId);
      const request = redFormRequest(tenantId, blue, '01', FULL, FULL_TOTALS);
      const [a, b] = await Promise.all([kit.channel.applyRedForm(request), kit.channel.applyRedForm(request)]);
      expect(b).toEqual(a);
      expect(await kit.channel.applyRedForm(request)).toEqual(a);
    });

    it('refuses a partial form for reason 01 and accepts it for 02 销货退回', async () => {
      const tenantId = newTenant();
      const blue = await issueBlue(kit, tenantId);
      const part = [redLine(2, '-50.00', '-3.00')];
      await expect(
        kit.channel.applyRedForm(redFormRequest(tenantId, blue, '01', part, { amount: '-50.00', tax: '-3.00' })),
      ).rejects.toMatchObject({ kind: 'permanent', code: 'RED_PARTIAL_NOT_ALLOWED' });
      const form = await kit.channel.applyRedForm(
        redFormRequest(tenantId, blue, '02', part, { amount: '-50.00', tax: '-3.00' }),
      );
      expect(form.status).toBe('confirmed');
    });

    it('refuses over-reversal across two forms; a rejected form frees its amount', async () => {
      const tenantId = newTenant();
      const blue = await issueBlue(kit, tenantId);
      const twoHundred = [redLine(2, '-200.00', '-12.00')];
      const totals = { amount: '-200.00', tax: '-12.00' };
      await kit.channel.applyRedForm(redFormRequest(tenantId, blue, '02', twoHundred, totals));
      await expect(
        kit.channel.applyRedForm(
          redFormRequest(tenantId, blue, '02', [redLine(2, '-1.00', '-0.06')], { amount: '-1.00', tax: '-0.06' }),
        ),
      ).rejects.toMatchObject({ code: 'RED_EXCEEDS_REMAINING' });
      await expect(
        kit.channel.applyRedForm(redFormRequest(tenantId, blue, '04', [], { amount: '-150.00', tax: '-9.00' })),
      ).rejects.toMatchObject({ code: 'RED_EXCEEDS_REMAINING', message: expect.stringContaining('100.00') });
      const rest = await kit.channel.applyRedForm(
        redFormRequest(tenantId, blue, '02', [redLine(1, '-100.00', '-6.00')], { amount: '-100.00', tax: '-6.00' }),
      );
      expect(rest.status).toBe('confirmed');
    });

    it('needs no confirmation for a natural-person buyer', async () => {
      const tenantId = newTenant();
      await kit.channel.updateSettings({ tenantId }, { redFormBuyerDecision: 'manual' });
      const invoice = blueInvoice(['100.00', '200.00'], {
        kind: '82',
        buyer: { name: '张三', naturalPerson: true },
      });
      const blue = await issueBlue(kit, tenantId, invoice);
      const form = await kit.channel.applyRedForm(redFormRequest(tenantId, blue, '01', FULL, FULL_TOTALS));
      expect(form).toMatchObject({ status: 'no_confirmation_needed', confirmBy: null });
    });

    it('manual: pending until the buyer confirms; deciding again is RED_FORM_NOT_PENDING', async () => {
      const tenantId = newTenant();
      await kit.channel.updateSettings({ tenantId }, { redFormBuyerDecision: 'manual' });
      const blue = await issueBlue(kit, tenantId);
      const form = await kit.channel.applyRedForm(redFormRequest(tenantId, blue, '01', FULL, FULL_TOTALS));
      expect(form).toMatchObject({ status: 'pending_buyer', decidedAt: null });
      const red = issueRequest(tenantId, redInvoice(blue.number, ['-100.00', '-200.00']), {
        red: { blueNumber: blue.number, redFormId: form.id, redFormNo: form.formNo },
      });
      await expect(kit.channel.issue(red)).rejects.toMatchObject({ code: 'RED_FORM_NOT_CONFIRMED' });
      const confirmed = await kit.channel.decideRedForm({ tenantId }, form.id, 'confirm');
      expect(confirmed).toMatchObject({ status: 'confirmed', decidedAt: kit.clock.now() });
      await expect(kit.channel.decideRedForm({ tenantId }, form.id, 'reject')).rejects.toMatchObject({
        kind: 'permanent',
        code: 'RED_FORM_NOT_PENDING',
      });
      await expect(kit.channel.issue(red)).resolves.toMatchObject({ requestId: red.requestId });
    });

    it('manual: a rejected form cannot be used and frees the blue for a new form', async () => {
      const tenantId = newTenant();
      await kit.channel.updateSettings({ tenantId }, { redFormBuyerDecision: 'manual' });
      const blue = await issueBlue(kit, tenantId);
      const form = await kit.channel.applyRedForm(redFormRequest(tenantId, blue, '01', FULL, FULL_TOTALS));
      expect((await kit.channel.decideRedForm({ tenantId }, form.id, 'reject')).status).toBe('rejected');
      const again = await kit.channel.applyRedForm(redFormRequest(tenantId, blue, '01', FULL, FULL_TOTALS));
      expect(again.status).toBe('pending_buyer');
    });

    it('expires a pending form after 72 hours (persisted); it can no longer be decided or used', async () => {
      const tenantId = newTenant();
      await kit.channel.updateSettings({ tenantId }, { redFormBuyerDecision: 'manual' });
      const blue = await issueBlue(kit, tenantId);
      const form = await kit.channel.applyRedForm(redFormRequest(tenantId, blue, '01', FULL, FULL_TOTALS));
      kit.clock.advance(72 * HOUR - 1);
      expect((await kit.channel.getRedForm({ tenantId }, form.id))?.status).toBe('pending_buyer');
      kit.clock.advance(1);
      const expired = await kit.channel.getRedForm({ tenantId }, form.id);
      expect(expired).toMatchObject({ status: 'expired', decidedAt: form.confirmBy });
      const row = await kit.db.kysely
        .selectFrom('sandbox_red_forms')
        .select('status')
        .where('id', '=', form.id)
        .executeTakeFirstOrThrow();
      expect(row.status).toBe('expired');
      await expect(kit.channel.decideRedForm({ tenantId }, form.id, 'confirm')).rejects.toMatchObject({
        code: 'RED_FORM_NOT_PENDING',
      });
      const red = issueRequest(tenantId, redInvoice(blue.number, ['-100.00', '-200.00']), {
        red: { blueNumber: blue.number, redFormId: form.id, redFormNo: form.formNo },
      });
      await expect(kit.channel.issue(red)).rejects.toMatchObject({ code: 'RED_FORM_EXPIRED' });
    });

    it('expires on the red issue itself, without a prior read', async () => {
      const tenantId = newTenant();
      await kit.channel.updateSettings({ tenantId }, { redFormBuyerDecision: 'manual' });
      const blue = await issueBlue(kit, tenantId);
      const form = await kit.channel.applyRedForm(redFormRequest(tenantId, blue, '01', FULL, FULL_TOTALS));
      kit.clock.advance(73 * HOUR);
      const red = issueRequest(tenantId, redInvoice(blue.number, ['-100.00', '-200.00']), {
        red: { blueNumber: blue.number, redFormId: form.id, redFormNo: form.formNo },
      });
      await expect(kit.channel.issue(red)).rejects.toMatchObject({ code: 'RED_FORM_EXPIRED' });
      expect((await kit.channel.applyRedForm(redFormRequest(tenantId, blue, '01', FULL, FULL_TOTALS))).status).toBe(
        'pending_buyer',
      );
    });

    it('red issues mark the blue partially reversed, then reversed, and restore quota; a form is used once', async () => {
      const tenantId = newTenant();
      const blue = await issueBlue(kit, tenantId);
      const at = kit.clock.now();
      expect((await kit.channel.getQuota({ tenantId }, SELLER_TAX_ID, at)).used).toBe('300.00');
      const part = await kit.channel.applyRedForm(
        redFormRequest(tenantId, blue, '02', [redLine(2, '-200.00', '-12.00')], { amount: '-200.00', tax: '-12.00' }),
      );
      const red1 = issueRequest(tenantId, redInvoice(blue.number, ['-200.00']), {
        red: { blueNumber: blue.number, redFormId: part.id, redFormNo: part.formNo },
      });
      const issued = await kit.channel.issue(red1);
      expect(issued.number).toMatch(/^\d{20}$/);
      expect((await kit.channel.getRedForm({ tenantId }, part.id))?.status).toBe('used');
      let entry = (await kit.channel.listLedger({ tenantId }, { number: blue.number })).items[0];
      expect(entry).toMatchObject({ status: 'partially_reversed', remainingAmount: '100.00', remainingTax: '6.00' });
      expect((await kit.channel.getQuota({ tenantId }, SELLER_TAX_ID, at)).used).toBe('100.00');
      const reused = { ...red1, requestId: `${red1.requestId}-again` };
      await expect(kit.channel.issue(reused)).rejects.toMatchObject({ code: 'RED_FORM_ALREADY_USED' });

      const rest = await kit.channel.applyRedForm(
        redFormRequest(tenantId, blue, '02', [redLine(1, '-100.00', '-6.00')], { amount: '-100.00', tax: '-6.00' }),
      );
      const wrongAmount = issueRequest(tenantId, redInvoice(blue.number, ['-50.00']), {
        red: { blueNumber: blue.number, redFormId: rest.id, redFormNo: rest.formNo },
      });
      await expect(kit.channel.issue(wrongAmount)).rejects.toMatchObject({ code: 'RED_INVOICE_MISMATCH' });
      await kit.channel.issue(
        issueRequest(tenantId, redInvoice(blue.number, ['-100.00']), {
          red: { blueNumber: blue.number, redFormId: rest.id, redFormNo: rest.formNo },
        }),
      );
      entry = (await kit.channel.listLedger({ tenantId }, { number: blue.number })).items[0];
      expect(entry).toMatchObject({ status: 'reversed', remainingAmount: '0.00' });
      expect((await kit.channel.getQuota({ tenantId }, SELLER_TAX_ID, at)).used).toBe('0.00');
      const reds = (await kit.channel.listLedger({ tenantId }, {})).items.filter((e) => e.isRed);
      expect(reds.map((r) => r.blueNumber)).toEqual([blue.number, blue.number]);
    });

    it('refuses a form for a blue the platform does not hold', async () => {
      const tenantId = newTenant();
      const blue = { number: '25312000000999999999', invoice: blueInvoice(['100.00', '200.00']) };
      await expect(
        kit.channel.applyRedForm(redFormRequest(tenantId, blue, '01', FULL, FULL_TOTALS)),
      ).rejects.toMatchObject({ kind: 'permanent', code: 'BLUE_INVOICE_NOT_FOUND' });
      await expect(kit.channel.issue(issueRequest(tenantId, redInvoice(blue.number, ['-1.00'])))).rejects.toMatchObject(
        { code: 'RED_INVOICE_MISMATCH' },
      );
    });
  });
}
