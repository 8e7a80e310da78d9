import { describe, expect, it } from 'vitest';
import { deductionProblem, taxPeriodOfDate } from './deduction.js';
import {
  POOL_DEDUCTION_STATUS_NAMES,
  POOL_DEDUCTION_STATUSES,
  type PoolDeductionFacts,
  poolDeductionState,
} from './deduction-statuses.js';

const facts = (over: Partial<PoolDeductionFacts> = {}): PoolDeductionFacts => ({
  kind: '81',
  issueDate: '2025-05-20',
  number: '25310000000000000001',
  verificationStatus: 'normal',
  isRed: false,
  duplicate: false,
  record: null,
  ...over,
});

describe('the pool’s deduction state', () => {
  it('names every status in Chinese', () => {
    for (const s of POOL_DEDUCTION_STATUSES) expect(POOL_DEDUCTION_STATUS_NAMES[s]).toMatch(/^[\u4e00-\u9fff]+$/);
  });

  it('takes the buyer’s record first: selected or confirmed with period and tax, 不抵扣 with the user’s reason', () => {
    const selected = { status: 'selected', period: '202506', tax: '10.00', reason: null } as const;
    expect(poolDeductionState(facts({ record: selected }))).toEqual({
      status: 'selected',
      statusName: '已勾选',
      period: '202506',
      tax: '10.00',
      reason: null,
      marked: false,
    });
    expect(poolDeductionState(facts({ record: { ...selected, status: 'confirmed' } }))).toMatchObject({
      status: 'confirmed',
      statusName: '已抵扣',
      period: '202506',
    });
    // A record wins over the facts: a 普票 the user marked keeps the user's reason.
    const marked = { status: 'not_deductible', period: null, tax: null, reason: '用于集体福利' } as const;
    expect(poolDeductionState(facts({ kind: '82', record: marked }))).toMatchObject({
      status: 'not_deductible',
      reason: '用于集体福利',
      marked: true,
    });
  });

  it('decides by the rules without a record: kind, red, duplicate, deadline, verification', () => {
    expect(poolDeductionState(facts())).toMatchObject({ status: 'deductible', statusName: '可勾选', reason: null });
    expect(poolDeductionState(facts({ kind: '51' })).status).toBe('deductible');
    expect(poolDeductionState(facts({ kind: '82' }))).toMatchObject({
      status: 'not_deductible',
      reason: expect.stringContaining('该票种不可抵扣'),
      marked: false,
    });
    expect(poolDeductionState(facts({ isRed: true })).reason).toBe('红字发票不可抵扣');
    expect(poolDeductionState(facts({ duplicate: true })).reason).toBe('重复发票');
    expect(poolDeductionState(facts({ issueDate: '2016-12-31' })).reason).toContain('已超过认证抵扣期限');
    expect(poolDeductionState(facts({ verificationStatus: 'void' }))).toMatchObject({
      status: 'not_deductible',
      reason: '查验状态为“作废”',
    });
    expect(poolDeductionState(facts({ verificationStatus: 'pending' }))).toMatchObject({
      status: 'unverified',
      statusName: '待查验',
      reason: '查验状态为“待查验”，查验正常后可勾选',
    });
  });

  it('says 可勾选 exactly when the selection takes the invoice in its month (one rule: deductionBlock)', () => {
    // Found by review: the pool said 可勾选 for a 正常 invoice without an issue date or number, which the selection
    // refuses.
    expect(poolDeductionState(facts({ issueDate: null }))).toMatchObject({
      status: 'not_deductible',
      reason: '缺少开票日期',
    });
    expect(poolDeductionState(facts({ number: null }))).toMatchObject({
      status: 'not_deductible',
      reason: '缺少发票号码',
    });
    for (const kind of ['81', '51', '82'])
      for (const issueDate of ['2025-05-20', '2016-12-31', null])
        for (const number of ['25310000000000000001', null])
          for (const verificationStatus of ['normal', 'pending', 'void', 'red'])
            for (const isRed of [false, true])
              for (const duplicate of [false, true]) {
                const f = facts({ kind, issueDate, number, verificationStatus, isRed, duplicate });
                const pool = poolDeductionState(f);
                const selection = deductionProblem(f, issueDate ? taxPeriodOfDate(issueDate) : '202505');
                expect(pool.status === 'deductible', JSON.stringify(f)).toBe(selection === null);
                if (selection !== null) expect(pool.reason, JSON.stringify(f)).toBe(selection);
              }
  });
});
