/**
 * The sandbox's issue as one statement (PostgreSQL) / one short transaction (SQLite): numbers stay unique and
 * gap-free under concurrency from many sellers, quotas are never exceeded, a refusal consumes no number, a repeated
 * request id is issued once; and on PostgreSQL one issue is one statement.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChannelError, type ChannelIssued } from '../../src/modules/channels/index.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { blueInvoice, createSandboxKit, issueRequest, newTenant, type SandboxKit } from './sandbox-kit.js';

const JUNE = Date.parse('2025-06-15T00:00:00+08:00');

/** The 15-digit sequence part of a 数电 number. */
const sequenceOf = (number: string) => Number(number.slice(5));

/** Asserts that `numbers` are distinct and consecutive (no gap among them). */
function expectConsecutive(numbers: string[]): void {
  expect(new Set(numbers).size).toBe(numbers.length);
  const sequences = numbers.map(sequenceOf).sort((a, b) => a - b);
  expect((sequences.at(-1) as number) - (sequences[0] as number) + 1).toBe(numbers.length);
}

function seller(taxId: string, regionCode: string) {
  return {
    taxId,
    name: `销方${taxId}`,
    address: null,
    phone: null,
    bankName: null,
    bankAccount: null,
    regionCode,
  };
}

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: sandbox issue in one statement`, () => {
    let kit: SandboxKit;
    beforeAll(async () => {
      kit = await createSandboxKit(dialect);
    });
    afterAll(async () => kit?.cleanup());

    it('concurrent issues from many sellers: no duplicate or skipped number, no quota exceeded', async () => {
      const tenantId = newTenant();
      // 12 sellers in two provinces, each with a 350.00 quota and 6 concurrent 100.00 invoices: exactly 3 fit.
      const sellers = Array.from({ length: 12 }, (_, i) =>
        seller(`91310000MA1SELL${String(i).padStart(3, '0')}`, i % 2 === 0 ? '310101' : '440300'),
      );
      for (const s of sellers) await kit.channel.setQuota({ tenantId }, s.taxId, '2025-06', '350.00');
      const attempts = sellers.flatMap((s) =>
        Array.from({ length: 6 }, () => ({ ...issueRequest(tenantId, blueInvoice()), seller: s })),
      );
      const settled = await Promise.allSettled(attempts.map((request) => kit.channel.issue(request)));
      const issued = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      const refused = settled.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
      expect(issued).toHaveLength(36);
      for (const err of refused) expect(err).toMatchObject({ kind: 'permanent', code: 'QUOTA_EXCEEDED' });
      expect(refused).toHaveLength(36);
      for (const province of ['31', '44']) {
        expectConsecutive(issued.map((i) => i.number).filter((n) => n.slice(2, 4) === province));
      }
      for (const s of sellers) {
        expect(await kit.channel.getQuota({ tenantId }, s.taxId, JUNE)).toMatchObject({ used: '300.00' });
      }
      expect((await kit.channel.listLedger({ tenantId }, { limit: 100 })).items).toHaveLength(36);
    });

    it('a refused issue consumes no number and charges nothing', async () => {
      const tenantId = newTenant();
      const s = seller('91310000MA1REFUSE1', '310101');
      await kit.channel.setQuota({ tenantId }, s.taxId, '2025-06', '150.00');
      const first = await kit.channel.issue({ ...issueRequest(tenantId, blueInvoice()), seller: s });
      const refusedRequest = { ...issueRequest(tenantId, blueInvoice(['60.00'])), seller: s };
      const err = await kit.channel.issue(refusedRequest).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ChannelError);
      expect(err).toMatchObject({ code: 'QUOTA_EXCEEDED', details: { remaining: '50.00', requested: '60.00' } });
      expect(await kit.channel.queryIssue({ tenantId }, refusedRequest.requestId)).toBeNull();
      // Another seller of the province takes the very next number: the refusal took none.
      const next = await kit.channel.issue(issueRequest(newTenant(), blueInvoice()));
      expect(sequenceOf(next.number)).toBe(sequenceOf(first.number) + 1);
      expect(await kit.channel.getQuota({ tenantId }, s.taxId, JUNE)).toMatchObject({ used: '100.00' });
    });

    it('refuses a first invoice over the default quota of a seller with no quota row, writing nothing', async () => {
      const tenantId = newTenant();
      await kit.channel.updateSettings({ tenantId }, { defaultQuota: '50.00' });
      const request = issueRequest(tenantId, blueInvoice());
      await expect(kit.channel.issue(request)).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED' });
      expect(await kit.channel.getQuota({ tenantId }, request.seller.taxId, JUNE)).toMatchObject({ used: '0.00' });
      await kit.channel.updateSettings({ tenantId }, { defaultQuota: '500.00' });
      await expect(kit.channel.issue(request)).resolves.toMatchObject({ requestId: request.requestId });
    });

    it('a repeated request id yields the same number, taken once and charged once', async () => {
      const tenantId = newTenant();
      const request = issueRequest(tenantId, blueInvoice());
      const first = await kit.channel.issue(request);
      const again: ChannelIssued[] = [];
      for (let i = 0; i < 3; i++) again.push(await kit.channel.issue(request));
      again.push(...(await Promise.all(Array.from({ length: 5 }, () => kit.channel.issue(request)))));
      for (const answer of again) expect(answer).toEqual(first);
      const next = await kit.channel.issue(issueRequest(newTenant(), blueInvoice()));
      expect(sequenceOf(next.number)).toBe(sequenceOf(first.number) + 1);
      expect(await kit.channel.getQuota({ tenantId }, request.seller.taxId, JUNE)).toMatchObject({ used: '100.00' });
    });

    it.skipIf(dialect.name !== 'postgres')('sends one statement per issue once the settings are cached', async () => {
      const tenantId = newTenant();
      await kit.channel.issue(issueRequest(tenantId, blueInvoice()));
      const texts: string[] = [];
      const original = pg.Client.prototype.query;
      pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
        const first = args[0];
        texts.push(typeof first === 'string' ? first : String((first as { text?: string }).text));
        return (original as (...a: unknown[]) => unknown).apply(this, args);
      } as typeof original;
      try {
        await kit.channel.issue(issueRequest(tenantId, blueInvoice()));
      } finally {
        pg.Client.prototype.query = original;
      }
      expect(texts).toHaveLength(1);
      expect(texts[0]).toMatch(/^\s*with existing as/);
    });
  });
}
