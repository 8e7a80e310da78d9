import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validDraft } from '../../src/tax/test-fixtures.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import {
  BUYER_TAX_ID,
  blueInvoice,
  computeInvoice,
  createSandboxKit,
  issueBlue,
  issueRequest,
  newTenant,
  redFormRequest,
  redInvoice,
  redLine,
  type SandboxKit,
} from './sandbox-kit.js';

/** Issued 2025-06-01 10:00 China time (the kit's clock). */
const ISSUE_DATE = '2025-06-01';

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: sandbox verify (查验) and tenant isolation`, () => {
    let kit: SandboxKit;
    beforeAll(async () => {
      kit = await createSandboxKit(dialect);
    });
    afterAll(async () => kit?.cleanup());

    it('finds a 数电 invoice by number, date and 价税合计 (tax-rules §4)', async () => {
      const tenantId = newTenant();
      const blue = await issueBlue(kit, tenantId);
      const result = await kit.channel.verify(
        { tenantId },
        { number: blue.number, issueDate: ISSUE_DATE, amount: '318.00' },
      );
      expect(result).toEqual({
        found: true,
        invoice: expect.objectContaining({
          number: blue.number,
          kind: '81',
          amount: '300.00',
          tax: '18.00',
          total: '318.00',
          buyerTaxId: BUYER_TAX_ID,
          status: 'normal',
        }),
      });
    });

    it('answers 不一致 for a wrong amount or date and 查无此票 for an unknown number', async () => {
      const tenantId = newTenant();
      const blue = await issueBlue(kit, tenantId);
      const byAmount = await kit.channel.verify(
        { tenantId },
        { number: blue.number, issueDate: ISSUE_DATE, amount: '300.00' },
      );
      expect(byAmount).toEqual({ found: false, reason: expect.stringContaining('不一致') });
      const byDate = await kit.channel.verify(
        { tenantId },
        { number: blue.number, issueDate: '2025-05-31', amount: '318.00' },
      );
      expect(byDate).toEqual({ found: false, reason: expect.stringContaining('开票日期') });
      const unknown = await kit.channel.verify(
        { tenantId },
        { number: '25312000000999999999', issueDate: ISSUE_DATE, amount: '318.00' },
      );
      expect(unknown).toEqual({ found: false, reason: '查无此票' });
    });

    it('verifies legacy 电子普票 by code, number and the last 6 of the check code', async () => {
      const tenantId = newTenant();
      const issued = await kit.channel.issue(issueRequest(tenantId, computeInvoice(validDraft({ kind: '026' }))));
      const query = { number: issued.number, code: issued.code ?? '', issueDate: ISSUE_DATE };
      const last6 = issued.checkCode?.slice(-6) ?? '';
      expect((await kit.channel.verify({ tenantId }, { ...query, checkCodeLast6: last6 })).found).toBe(true);
      const wrong = last6 === '000000' ? '111111' : '000000';
      expect(await kit.channel.verify({ tenantId }, { ...query, checkCodeLast6: wrong })).toMatchObject({
        found: false,
      });
      expect(await kit.channel.verify({ tenantId }, { number: issued.number, issueDate: ISSUE_DATE })).toMatchObject({
        found: false,
        reason: expect.stringContaining('发票代码'),
      });
    });

    it('reports the blue status after a red', async () => {
      const tenantId = newTenant();
      const blue = await issueBlue(kit, tenantId, blueInvoice(['100.00']));
      const form = await kit.channel.applyRedForm(
        redFormRequest(tenantId, blue, '01', [redLine(1, '-100.00', '-6.00')], { amount: '-100.00', tax: '-6.00' }),
      );
      const red = issueRequest(tenantId, redInvoice(blue.number, ['-100.00']), {
        red: { blueNumber: blue.number, redFormId: form.id, redFormNo: form.formNo },
      });
      // Concurrent retries of one red request: one red invoice.
      const [a, b] = await Promise.all([kit.channel.issue(red), kit.channel.issue(red)]);
      expect(b).toEqual(a);
      const result = await kit.channel.verify(
        { tenantId },
        { number: blue.number, issueDate: ISSUE_DATE, amount: '106.00' },
      );
      expect(result.invoice?.status).toBe('reversed');
      const redResult = await kit.channel.verify(
        { tenantId },
        { number: a.number, issueDate: ISSUE_DATE, amount: '-106.00' },
      );
      expect(redResult.found).toBe(true);
    });

    it("keeps tenants apart: B sees none of A's ledger, forms or requests", async () => {
      const a = newTenant();
      const b = newTenant();
      await kit.channel.updateSettings({ tenantId: a }, { redFormBuyerDecision: 'manual' });
      const request = issueRequest(a, blueInvoice(['100.00']));
      const blue = { ...(await kit.channel.issue(request)), invoice: request.invoice };
      const formRequest = redFormRequest(a, blue, '01', [redLine(1, '-100.00', '-6.00')], {
        amount: '-100.00',
        tax: '-6.00',
      });
      const form = await kit.channel.applyRedForm(formRequest);

      expect(await kit.channel.queryIssue({ tenantId: b }, request.requestId)).toBeNull();
      expect((await kit.channel.listLedger({ tenantId: b }, {})).items).toEqual([]);
      expect((await kit.channel.listLedger({ tenantId: b }, { number: blue.number })).items).toEqual([]);
      expect(
        await kit.channel.verify({ tenantId: b }, { number: blue.number, issueDate: ISSUE_DATE, amount: '106.00' }),
      ).toEqual({ found: false, reason: '查无此票' });
      expect(await kit.channel.getRedForm({ tenantId: b }, form.id)).toBeNull();
      await expect(kit.channel.decideRedForm({ tenantId: b }, form.id, 'confirm')).rejects.toMatchObject({
        code: 'RED_FORM_NOT_FOUND',
      });
      await expect(kit.channel.applyRedForm({ ...formRequest, tenantId: b })).rejects.toMatchObject({
        code: 'BLUE_INVOICE_NOT_FOUND',
      });
      // B's settings are its own: A's manual decision does not apply to B.
      expect((await kit.channel.getSettings({ tenantId: b })).redFormBuyerDecision).toBe('auto_confirm');
      expect((await kit.channel.getRedForm({ tenantId: a }, form.id))?.status).toBe('pending_buyer');
    });
  });
}
