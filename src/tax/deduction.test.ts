import { describe, expect, it } from 'vitest';
import {
  allowsPartialDeduction,
  DEDUCTIBLE_KIND_CODES,
  deductibleTax,
  deductionCategoryOf,
  deductionDeadlineProblem,
  deductionProblem,
  isTaxPeriod,
  taxPeriodEnd,
  taxPeriodOf,
  taxPeriodProblem,
  transportTaxFen,
} from './deduction.js';

describe('deductible kinds', () => {
  it('lists VAT special invoices, vehicle invoices, tolls and passenger tickets, never 普票', () => {
    expect([...DEDUCTIBLE_KIND_CODES].sort()).toEqual(['003', '004', '027', '028', '51', '61', '81', '83', '85']);
    for (const kind of ['82', '86', '007', '025', '026', '84', '006', 'other']) {
      expect(deductionCategoryOf(kind)).toBeNull();
    }
    expect(deductionCategoryOf('81')).toBe('special');
    expect(deductionCategoryOf('61')).toBe('air');
  });

  it('allows a partial tax only where the tax is deducted as printed on a special or vehicle invoice', () => {
    expect(allowsPartialDeduction('81')).toBe(true);
    expect(allowsPartialDeduction('004')).toBe(true);
    expect(allowsPartialDeduction('83')).toBe(true);
    expect(allowsPartialDeduction('027')).toBe(false);
    expect(allowsPartialDeduction('51')).toBe(false);
    expect(allowsPartialDeduction('82')).toBe(false);
  });
});

describe('deductible tax', () => {
  it('takes the printed tax of special, vehicle and toll invoices', () => {
    expect(deductibleTax({ kind: '81', taxFen: 1300, totalFen: 11300 })).toEqual({
      taxFen: 1300,
      basis: 'printed',
      rule: '票面税额',
    });
    expect(deductibleTax({ kind: '027', taxFen: 291, totalFen: 10000 })?.taxFen).toBe(291);
    expect(deductibleTax({ kind: '004', taxFen: null, totalFen: 11300 })).toBeNull();
    expect(deductibleTax({ kind: '82', taxFen: 100, totalFen: 1000 })).toBeNull();
  });

  it('computes rail tickets at 9 % of the total when no tax is printed (rounded half-up to the fen)', () => {
    // 100.00 ÷ 1.09 × 0.09 = 8.2568… → 8.26
    expect(transportTaxFen(10000, 'rail')).toBe(826);
    const tax = deductibleTax({ kind: '51', taxFen: null, totalFen: 10000 });
    expect(tax).toMatchObject({ taxFen: 826, basis: 'computed' });
    expect(tax?.rule).toContain('100.00');
    // 0 printed = not carried
    expect(deductibleTax({ kind: '51', taxFen: 0, totalFen: 5500 })?.taxFen).toBe(454); // 4.541… → 4.54
    // printed wins
    expect(deductibleTax({ kind: '51', taxFen: 500, totalFen: 5500 })).toMatchObject({ taxFen: 500, basis: 'printed' });
  });

  it('computes air tickets from fare + fuel surcharge at 9 %, without the development fund', () => {
    // (1000.00 + 50.00) ÷ 1.09 × 0.09 = 86.697… → 86.70
    expect(deductibleTax({ kind: '61', taxFen: null, totalFen: 110000, fareFen: 105000 })).toMatchObject({
      taxFen: 8670,
      basis: 'computed',
    });
    expect(deductibleTax({ kind: '61', taxFen: null, totalFen: 110000 })).toBeNull();
  });

  it('computes road and water tickets at 3 %', () => {
    // 100.00 ÷ 1.03 × 0.03 = 2.9126… → 2.91; 35.00 → 1.0194… → 1.02
    expect(deductibleTax({ kind: 'other', transport: 'road_water', taxFen: null, totalFen: 10000 })?.taxFen).toBe(291);
    expect(transportTaxFen(3500, 'road_water')).toBe(102);
    // rounding up: 12.00 ÷ 1.09 × 0.09 = 0.99082… → 0.99; 6.00 → 0.4954… → 0.50
    expect(transportTaxFen(1200, 'rail')).toBe(99);
    expect(transportTaxFen(600, 'rail')).toBe(50);
  });
});

describe('deadline and period', () => {
  it('has no deadline for invoices issued from 2017-01-01', () => {
    expect(deductionDeadlineProblem('2017-01-01')).toBeNull();
    expect(deductionDeadlineProblem('2016-12-31')).toMatch(/期限/);
  });

  it('validates 所属期', () => {
    const now = Date.parse('2025-06-15T02:00:00Z');
    expect(isTaxPeriod('202506')).toBe(true);
    expect(isTaxPeriod('202513')).toBe(false);
    expect(isTaxPeriod('2025-06')).toBe(false);
    expect(taxPeriodProblem('202506', now)).toBeNull();
    expect(taxPeriodProblem('202507', now)).toMatch(/尚未到来/);
    expect(taxPeriodProblem('20256', now)).toMatch(/YYYYMM/);
    // 2025-06-30 20:00 UTC is July 1st in China
    expect(taxPeriodOf(Date.parse('2025-06-30T20:00:00Z'))).toBe('202507');
    expect(taxPeriodEnd('202502')).toBe('2025-02-28');
    expect(taxPeriodEnd('202402')).toBe('2024-02-29');
    expect(taxPeriodEnd('202512')).toBe('2025-12-31');
  });

  it('refuses a period before the invoice month, other kinds and non-normal verification', () => {
    const ok = {
      kind: '81',
      issueDate: '2025-05-20',
      number: '25310000000000000001',
      verificationStatus: 'normal',
      isRed: false,
      duplicate: false,
    };
    expect(deductionProblem(ok, '202505')).toBeNull();
    expect(deductionProblem(ok, '202506')).toBeNull();
    expect(deductionProblem(ok, '202504')).toMatch(/早于开票月份/);
    expect(deductionProblem({ ...ok, kind: '82' }, '202506')).toMatch(/不可抵扣/);
    expect(deductionProblem({ ...ok, verificationStatus: 'void' }, '202506')).toBe('查验状态为“作废”');
    expect(deductionProblem({ ...ok, verificationStatus: 'pending' }, '202506')).toMatch(/查验正常后可勾选/);
    expect(deductionProblem({ ...ok, issueDate: '2016-05-01' }, '202506')).toMatch(/期限/);
    expect(deductionProblem({ ...ok, isRed: true }, '202506')).toBe('红字发票不可抵扣');
    expect(deductionProblem({ ...ok, duplicate: true }, '202506')).toBe('重复发票');
    expect(deductionProblem({ ...ok, issueDate: null }, '202506')).toBe('缺少开票日期');
    expect(deductionProblem({ ...ok, number: null }, '202506')).toBe('缺少发票号码');
  });
});
