import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChannelError } from '../../src/modules/channels/index.js';
import { parseDigitalInvoiceNumber } from '../../src/tax/index.js';
import { softwareLine, validDraft } from '../../src/tax/test-fixtures.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import {
  BUYER_TAX_ID,
  blueInvoice,
  computeInvoice,
  createSandboxKit,
  issueRequest,
  newTenant,
  type SandboxKit,
  SELLER_TAX_ID,
} from './sandbox-kit.js';

/** Legacy paper 专票 need the buyer's address, phone and bank (tax-rules §10). */
const LEGACY_BUYER_DETAILS = { address: '杭州市', phone: '0571-1234567', bankName: '工商银行', bankAccount: '1202' };
const JUNE = Date.parse('2025-06-15T00:00:00+08:00');

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: sandbox issue`, () => {
    let kit: SandboxKit;
    beforeAll(async () => {
      kit = await createSandboxKit(dialect);
    });
    afterAll(async () => kit?.cleanup());

    it('numbers a 数电 invoice yy + province + channel 2 + 15-digit sequence (tax-rules §2.1)', async () => {
      const issued = await kit.channel.issue(issueRequest(newTenant(), blueInvoice()));
      expect(issued.number).toMatch(/^25312\d{15}$/);
      expect(parseDigitalInvoiceNumber(issued.number)).toMatchObject({ yy: '25', region: '31', hint: 'platform' });
      expect(issued).toMatchObject({ code: null, checkCode: null, issuedAt: kit.clock.now() });
    });

    it('takes the province from USCC characters 3–4 when the seller has no region code', async () => {
      const request = issueRequest(newTenant(), blueInvoice());
      const issued = await kit.channel.issue({ ...request, seller: { ...request.seller, regionCode: null } });
      expect(issued.number.slice(2, 4)).toBe(SELLER_TAX_ID.slice(2, 4));
    });

    it('gives 50 concurrent issues 50 distinct numbers', async () => {
      const tenantId = newTenant();
      const results = await Promise.all(
        Array.from({ length: 50 }, () => kit.channel.issue(issueRequest(tenantId, blueInvoice()))),
      );
      const numbers = results.map((r) => r.number);
      expect(new Set(numbers).size).toBe(50);
      for (const n of numbers) expect(n).toMatch(/^25312\d{15}$/);
      expect((await kit.channel.getQuota({ tenantId }, SELLER_TAX_ID, JUNE)).used).toBe('5000.00');
    });

    it('answers 20 concurrent issues with one requestId with one number, consuming quota once', async () => {
      const tenantId = newTenant();
      const request = issueRequest(tenantId, blueInvoice());
      const results = await Promise.all(Array.from({ length: 20 }, () => kit.channel.issue(request)));
      expect(new Set(results.map((r) => r.number)).size).toBe(1);
      expect(await kit.channel.queryIssue({ tenantId }, request.requestId)).toEqual(results[0]);
      const ledger = await kit.channel.listLedger({ tenantId }, {});
      expect(ledger.items).toHaveLength(1);
      expect((await kit.channel.getQuota({ tenantId }, SELLER_TAX_ID, JUNE)).used).toBe('100.00');
    });

    it('numbers legacy kinds with a 发票代码, an 8-digit number and a 20-digit check code', async () => {
      const tenantId = newTenant();
      for (const kind of ['004', '007', '025', '026', '028']) {
        const buyer = { name: '示例购买方有限公司', taxId: BUYER_TAX_ID, ...LEGACY_BUYER_DETAILS };
        const issued = await kit.channel.issue(issueRequest(tenantId, computeInvoice(validDraft({ kind, buyer }))));
        expect(issued.code).toMatch(kind === '004' ? /^\d{10}$/ : /^\d{12}$/);
        expect(issued.number).toMatch(/^\d{8}$/);
        expect(issued.checkCode).toMatch(/^\d{20}$/);
      }
    });

    it('refuses an invoice over the remaining quota and records nothing', async () => {
      const tenantId = newTenant();
      await kit.channel.setQuota({ tenantId }, SELLER_TAX_ID, '2025-06', '150.00');
      await kit.channel.issue(issueRequest(tenantId, blueInvoice()));
      const request = issueRequest(tenantId, blueInvoice());
      const err = await kit.channel.issue(request).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ChannelError);
      expect(err).toMatchObject({ kind: 'permanent', code: 'QUOTA_EXCEEDED' });
      expect((err as Error).message).toContain('剩余 50.00');
      expect((err as Error).message).toContain('100.00');
      expect(await kit.channel.queryIssue({ tenantId }, request.requestId)).toBeNull();
      expect(await kit.channel.getQuota({ tenantId }, SELLER_TAX_ID, JUNE)).toEqual({
        sellerTaxId: SELLER_TAX_ID,
        month: '2025-06',
        total: '150.00',
        used: '100.00',
        remaining: '50.00',
      });
    });

    it('counts 不含税 by default and 价税合计 when the basis is total; default quota 10,000,000.00', async () => {
      const tenantId = newTenant();
      expect((await kit.channel.getQuota({ tenantId }, SELLER_TAX_ID, JUNE)).total).toBe('10000000.00');
      await kit.channel.issue(issueRequest(tenantId, blueInvoice()));
      await kit.channel.updateSettings({ tenantId }, { quotaBasis: 'total' });
      await kit.channel.issue(issueRequest(tenantId, blueInvoice()));
      expect((await kit.channel.getQuota({ tenantId }, SELLER_TAX_ID, JUNE)).used).toBe('206.00');
    });

    it('keeps months apart (China time)', async () => {
      const tenantId = newTenant();
      await kit.channel.issue(issueRequest(tenantId, blueInvoice()));
      const july = Date.parse('2025-07-01T00:00:00+08:00');
      expect((await kit.channel.getQuota({ tenantId }, SELLER_TAX_ID, july)).used).toBe('0.00');
    });
  });
}

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: sandbox failure injection`, () => {
    let kit: SandboxKit;
    let draws: number[] = [];
    beforeAll(async () => {
      kit = await createSandboxKit(dialect, () => draws.shift() ?? 0.999);
    });
    afterAll(async () => kit?.cleanup());

    const failingBuyer = () =>
      computeInvoice(validDraft({ buyer: { name: '故障测试购买方有限公司', taxId: '91330100MA2H3LL62A' } }));

    it('fails a times:2 transient rule twice, recording nothing, then succeeds', async () => {
      const tenantId = newTenant();
      await kit.channel.updateSettings(
        { tenantId },
        { rules: [{ when: { buyerNameContains: '故障' }, fail: 'transient', times: 2 }] },
      );
      const request = issueRequest(tenantId, failingBuyer());
      for (let i = 0; i < 2; i++) {
        await expect(kit.channel.issue(request)).rejects.toMatchObject({
          kind: 'transient',
          code: 'CHANNEL_UNAVAILABLE',
        });
        expect(await kit.channel.queryIssue({ tenantId }, request.requestId)).toBeNull();
      }
      const issued = await kit.channel.issue(request);
      expect(issued.number).toMatch(/^\d{20}$/);
      // Unrelated buyers never matched the rule.
      await expect(kit.channel.issue(issueRequest(tenantId, blueInvoice()))).resolves.toBeDefined();
    });

    it('fails permanently with the rule code and message', async () => {
      const tenantId = newTenant();
      await kit.channel.updateSettings(
        { tenantId },
        {
          rules: [
            { when: { amountGreaterThan: '99.99' }, fail: 'permanent', code: 'TAX_CODE_INVALID', message: '编码无效' },
          ],
        },
      );
      await expect(kit.channel.issue(issueRequest(tenantId, blueInvoice()))).rejects.toMatchObject({
        kind: 'permanent',
        code: 'TAX_CODE_INVALID',
        message: '编码无效',
      });
      await expect(kit.channel.issue(issueRequest(tenantId, blueInvoice(['99.99'])))).resolves.toBeDefined();
    });

    it('records, then times out (timeout_after_commit); the retry returns the same number', async () => {
      const tenantId = newTenant();
      await kit.channel.updateSettings({ tenantId }, { rules: [{ when: {}, fail: 'timeout_after_commit' }] });
      const request = issueRequest(tenantId, blueInvoice());
      await expect(kit.channel.issue(request)).rejects.toMatchObject({ kind: 'transient', code: 'CHANNEL_TIMEOUT' });
      const recorded = await kit.channel.queryIssue({ tenantId }, request.requestId);
      expect(recorded?.number).toMatch(/^\d{20}$/);
      expect(await kit.channel.issue(request)).toEqual(recorded);
      expect((await kit.channel.listLedger({ tenantId }, {})).items).toHaveLength(1);
    });

    it('draws random transient and permanent failures from the injected random', async () => {
      const tenantId = newTenant();
      await kit.channel.updateSettings({ tenantId }, { transientFailureRate: 0.2, permanentFailureRate: 0.1 });
      draws = [0.1];
      await expect(kit.channel.issue(issueRequest(tenantId, blueInvoice()))).rejects.toMatchObject({
        kind: 'transient',
      });
      draws = [0.5, 0.05];
      await expect(kit.channel.issue(issueRequest(tenantId, blueInvoice()))).rejects.toMatchObject({
        kind: 'permanent',
      });
      draws = [0.5, 0.5];
      await expect(kit.channel.issue(issueRequest(tenantId, blueInvoice()))).resolves.toBeDefined();
      expect((await kit.channel.listLedger({ tenantId }, {})).items).toHaveLength(1);
    });

    it('waits the configured latency before answering', async () => {
      const tenantId = newTenant();
      await kit.channel.updateSettings({ tenantId }, { latencyMs: 250 });
      kit.sleeps.length = 0;
      await kit.channel.issue(issueRequest(tenantId, computeInvoice(validDraft({ lines: [softwareLine()] }))));
      expect(kit.sleeps).toEqual([250]);
    });

    it('refuses invalid settings with SANDBOX_SETTINGS_INVALID', async () => {
      await expect(
        kit.channel.updateSettings({ tenantId: newTenant() }, { permanentFailureRate: 2 }),
      ).rejects.toMatchObject({
        code: 'SANDBOX_SETTINGS_INVALID',
      });
    });
  });
}
