import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireVerificationSlot, readVerificationUsage } from '../../src/modules/channels/index.js';
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

/** The kit's clock: 2025-06-01 10:00 China time. */
const TODAY = '2025-06-01';
const SELLER = '91310101MA1FPX1234';

function importedLine(overrides: Record<string, unknown> = {}) {
  return JSON.stringify({
    kind: '82',
    number: '24440000000000012345',
    issueDate: '2024-03-15',
    seller: { name: '广州某某餐饮有限公司', taxId: SELLER },
    buyer: { name: '示例购买方有限公司', taxId: BUYER_TAX_ID },
    amount: '94.34',
    tax: '5.66',
    total: '100.00',
    lines: [{ name: '*餐饮服务*餐费', amount: '94.34', taxRate: '0.06', taxAmount: '5.66' }],
    remark: '外部导入',
    ...overrides,
  });
}

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: VerificationChannel (sandbox 查验)`, () => {
    let kit: SandboxKit;
    beforeAll(async () => {
      kit = await createSandboxKit(dialect);
    });
    afterAll(async () => kit?.cleanup());

    const verification = () => kit.channel.verification;

    it('answers 正常 to tenant B for an invoice tenant A issued, with what the platform holds', async () => {
      const a = newTenant();
      const blue = await issueBlue(kit, a);
      const result = await verification().verify(
        { tenantId: newTenant() },
        { number: blue.number, issueDate: TODAY, total: '318.00' },
      );
      expect(result).toMatchObject({
        status: 'normal',
        message: expect.stringContaining('正常'),
        invoice: {
          kind: '81',
          code: null,
          number: blue.number,
          issueDate: TODAY,
          buyer: { taxId: BUYER_TAX_ID },
          amount: '300.00',
          tax: '18.00',
          total: '318.00',
          redAmount: '0.00',
        },
      });
      expect(result.invoice?.lines).toHaveLength(2);
      expect(result.mismatchField).toBeUndefined();
    });

    it('answers 不一致 with the field, and 查无此票, without disclosing the invoice', async () => {
      const blue = await issueBlue(kit, newTenant());
      const scope = { tenantId: newTenant() };
      const byTotal = await verification().verify(scope, { number: blue.number, issueDate: TODAY, total: '300.00' });
      expect(byTotal).toEqual({ status: 'mismatch', mismatchField: 'total', message: '不一致：价税合计不符' });
      const byDate = await verification().verify(scope, {
        number: blue.number,
        issueDate: '2025-05-31',
        total: '318.00',
      });
      expect(byDate).toMatchObject({ status: 'mismatch', mismatchField: 'issueDate' });
      expect(byDate.invoice).toBeUndefined();
      const missing = await verification().verify(scope, { number: blue.number, issueDate: TODAY });
      expect(missing).toMatchObject({ status: 'mismatch', mismatchField: 'total' });
      expect(
        await verification().verify(scope, { number: '25312000000999999999', issueDate: TODAY, total: '1.00' }),
      ).toEqual({ status: 'not_found', message: '查无此票' });
    });

    it('verifies legacy 电子普票 by code + check code last 6 and 专票 by 不含税金额', async () => {
      const tenantId = newTenant();
      const ordinary = await kit.channel.issue(issueRequest(tenantId, computeInvoice(validDraft({ kind: '026' }))));
      const last6 = ordinary.checkCode?.slice(-6) ?? '';
      const q = { number: ordinary.number, code: ordinary.code, issueDate: TODAY };
      expect((await verification().verify({ tenantId }, { ...q, checkCodeLast6: last6 })).status).toBe('normal');
      const wrong = last6 === '000000' ? '111111' : '000000';
      expect(await verification().verify({ tenantId }, { ...q, checkCodeLast6: wrong })).toMatchObject({
        status: 'mismatch',
        mismatchField: 'checkCode',
      });
      expect((await verification().verify({ tenantId }, { ...q, code: null, checkCodeLast6: last6 })).status).toBe(
        'not_found',
      );
      const special = await kit.channel.issue(
        issueRequest(
          tenantId,
          computeInvoice(
            validDraft({
              kind: '004',
              buyer: {
                name: '示例购买方有限公司',
                taxId: BUYER_TAX_ID,
                address: '上海市黄浦区示例路1号',
                phone: '021-12345678',
                bankName: '示例银行',
                bankAccount: '6222000000000000',
              },
            }),
          ),
        ),
      );
      const sq = { number: special.number, code: special.code, issueDate: TODAY };
      const ok = await verification().verify({ tenantId }, { ...sq, amount: '100.00' });
      expect(ok).toMatchObject({ status: 'normal', invoice: { kind: '004', code: special.code } });
      expect(await verification().verify({ tenantId }, { ...sq, amount: '106.00' })).toMatchObject({
        status: 'mismatch',
        mismatchField: 'amount',
      });
    });

    it('answers 部分红冲 and then 已红冲 as reds are issued against the blue', async () => {
      const tenantId = newTenant();
      const blue = await issueBlue(kit, tenantId, blueInvoice(['100.00', '200.00']));
      const query = { number: blue.number, issueDate: TODAY, total: '318.00' };
      const redOf = async (lineNo: number, amount: string, tax: string) => {
        const form = await kit.channel.applyRedForm(
          redFormRequest(tenantId, blue, '02', [redLine(lineNo, amount, tax)], { amount, tax }),
        );
        await kit.channel.issue(
          issueRequest(tenantId, redInvoice(blue.number, [amount]), {
            red: { blueNumber: blue.number, redFormId: form.id, redFormNo: form.formNo },
          }),
        );
      };
      await redOf(1, '-100.00', '-6.00');
      const partly = await verification().verify({ tenantId: newTenant() }, query);
      expect(partly).toMatchObject({ status: 'partly_red', invoice: { redAmount: '-100.00', redTax: '-6.00' } });
      await redOf(2, '-200.00', '-12.00');
      expect(await verification().verify({ tenantId: newTenant() }, query)).toMatchObject({
        status: 'red_reversed',
        message: '该发票已全额红冲',
        invoice: { redAmount: '-300.00' },
      });
    });

    it('answers 超过查验次数 from the sixth check of one invoice on one day (every tenant counts), again the next day', async () => {
      const blue = await issueBlue(kit, newTenant());
      const query = { number: blue.number, issueDate: TODAY, total: '318.00' };
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await verification().verify({ tenantId: newTenant() }, query)).status);
      // A mismatch counts too: the fourth input cannot be guessed by trying.
      expect(statuses).toEqual(['normal', 'normal', 'normal', 'normal', 'normal']);
      expect(await verification().verify({ tenantId: newTenant() }, { ...query, total: '1.00' })).toMatchObject({
        status: 'too_many_checks',
        message: expect.stringContaining('超过查验次数'),
      });
      // Another invoice is not affected.
      const other = await issueBlue(kit, newTenant());
      expect((await verification().verify({ tenantId: newTenant() }, { ...query, number: other.number })).status).toBe(
        'normal',
      );
      kit.clock.advance(24 * 3_600_000);
      expect((await verification().verify({ tenantId: newTenant() }, query)).status).toBe('normal');
      kit.clock.advance(-24 * 3_600_000);
    });

    it('answers 超过五年 for an issue date more than five years before today (China time)', async () => {
      const tenantId = newTenant();
      const q = { number: '25312000000999999998', total: '1.00' };
      expect(await verification().verify({ tenantId }, { ...q, issueDate: '2020-05-31' })).toMatchObject({
        status: 'too_old',
      });
      expect((await verification().verify({ tenantId }, { ...q, issueDate: '2020-06-01' })).status).toBe('not_found');
    });

    it('imports JSON lines and CSV from elsewhere: 正常, 作废, 部分红冲, replaced by a later import', async () => {
      const imported = await verification().importLedger({
        fileName: 'elsewhere.jsonl',
        text: [
          importedLine(),
          '',
          importedLine({ number: '24440000000000012346', status: 'void' }),
          importedLine({ number: '24440000000000012347', status: 'partly_red', redAmount: '-10.00', redTax: '-0.60' }),
        ].join('\n'),
      });
      expect(imported).toEqual({ ok: true, format: 'jsonl', imported: 3 });
      const scope = { tenantId: newTenant() };
      const q = { issueDate: '2024-03-15', total: '100.00' };
      expect(await verification().verify(scope, { ...q, number: '24440000000000012345' })).toMatchObject({
        status: 'normal',
        invoice: {
          kind: '82',
          seller: { name: '广州某某餐饮有限公司', taxId: SELLER },
          remark: '外部导入',
          lines: [{ name: '*餐饮服务*餐费', spec: null, amount: '94.34', taxRate: '0.06' }],
        },
      });
      expect((await verification().verify(scope, { ...q, number: '24440000000000012346' })).status).toBe('void');
      expect((await verification().verify(scope, { ...q, number: '24440000000000012347' })).status).toBe('partly_red');

      const csv = [
        'kind,code,number,issueDate,checkCode,sellerName,sellerTaxId,buyerName,buyerTaxId,amount,tax,total,status',
        `026,044031900111,12345678,2023-11-02,12345678901234567890,"深圳某某科技有限公司, 分公司",${SELLER},示例购买方有限公司,,100.00,3.00,103.00,normal`,
        `82,,24440000000000012345,2024-03-15,,广州某某餐饮有限公司,${SELLER},示例购买方有限公司,,94.34,5.66,100.00,red_reversed`,
      ].join('\r\n');
      expect(await verification().importLedger({ fileName: 'more.csv', text: csv })).toEqual({
        ok: true,
        format: 'csv',
        imported: 2,
      });
      const legacy = await verification().verify(scope, {
        number: '12345678',
        code: '044031900111',
        issueDate: '2023-11-02',
        checkCodeLast6: '567890',
      });
      expect(legacy).toMatchObject({ status: 'normal', invoice: { seller: { name: '深圳某某科技有限公司, 分公司' } } });
      expect(await verification().verify(scope, { ...q, number: '24440000000000012345' })).toMatchObject({
        status: 'red_reversed',
        invoice: { redAmount: '-94.34', redTax: '-5.66' },
      });
    });

    it('refuses a file with bad rows, reporting each by line, and stores nothing', async () => {
      const result = await verification().importLedger({
        fileName: 'bad.jsonl',
        text: [
          importedLine({ number: '24440000000000099991' }),
          importedLine({ number: '123' }),
          '{not json',
          importedLine({ number: '24440000000000099992', total: '99.00' }),
          importedLine({ number: '24440000000000099993', kind: '026' }),
          importedLine({ number: '24440000000000099991' }),
        ].join('\n'),
      });
      expect(result).toEqual({
        ok: false,
        errors: [
          { line: 2, message: '数电发票的 number 须是 20 位数字' },
          { line: 3, message: '不是合法的 JSON' },
          { line: 4, message: 'amount + tax 须等于 total' },
          { line: 5, message: 'number 须是 8 位数字' },
          { line: 6, message: '与第 1 行重复（发票代码+号码相同）' },
        ],
      });
      expect(
        (
          await verification().verify(
            { tenantId: newTenant() },
            { number: '24440000000000099991', issueDate: '2024-03-15', total: '100.00' },
          )
        ).status,
      ).toBe('not_found');
      const csv = await verification().importLedger({ fileName: 'bad.csv', text: 'kind,number,colour\n82,1,red\n' });
      expect(csv).toEqual({ ok: false, errors: [{ line: 1, message: '未知的列：colour' }, expect.anything()] });
    });

    it('a transient failure rule for verify throws a retryable ChannelError', async () => {
      const tenantId = newTenant();
      await kit.channel.updateSettings(
        { tenantId },
        { rules: [{ when: { operation: 'verify' }, fail: 'transient', times: 1 }] },
      );
      await expect(
        verification().verify({ tenantId }, { number: '25312000000999999999', issueDate: TODAY, total: '1.00' }),
      ).rejects.toMatchObject({ name: 'ChannelError', kind: 'transient' });
      expect(
        (await verification().verify({ tenantId }, { number: '25312000000999999999', issueDate: TODAY, total: '1.00' }))
          .status,
      ).toBe('not_found');
    });

    it('provider limits: a rate per second and a daily quota, counted in the database, with the time to retry', async () => {
      const db = kit.db.kysely;
      const provider = `p-${newTenant()}`;
      const limits = { ratePerSecond: 2, dailyQuota: 3 };
      const now = kit.clock.now();
      expect(await acquireVerificationSlot(db, provider, limits, now)).toEqual({ ok: true });
      expect(await acquireVerificationSlot(db, provider, limits, now)).toEqual({ ok: true });
      const limited = await acquireVerificationSlot(db, provider, limits, now);
      expect(limited).toEqual({ ok: false, reason: 'rate', retryAt: now + 500 });
      expect(await acquireVerificationSlot(db, provider, limits, now + 500)).toEqual({ ok: true });
      const quota = await acquireVerificationSlot(db, provider, limits, now + 5000);
      // The next China day starts at 2025-06-02 00:00 +08:00.
      expect(quota).toEqual({ ok: false, reason: 'quota', retryAt: Date.parse('2025-06-01T16:00:00Z') });
      expect(await readVerificationUsage(db, provider, limits, now)).toEqual({ day: TODAY, used: 3, remaining: 0 });
      expect(await acquireVerificationSlot(db, provider, limits, Date.parse('2025-06-01T16:00:00Z'))).toEqual({
        ok: true,
      });
      // Concurrent acquisitions never exceed the quota.
      const other = `q-${newTenant()}`;
      const many = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          acquireVerificationSlot(db, other, { ratePerSecond: 1000, dailyQuota: 5 }, now + i),
        ),
      );
      expect(many.filter((r) => r.ok)).toHaveLength(5);
    });
  });
}
