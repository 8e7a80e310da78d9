import { describe, expect, it } from 'vitest';
import { buildRedRemark, hasRequiredRedRemark, RED_REASON_INFO, RED_REASONS } from './red-letter.js';
import { type BlueLine, computeFullReversalLines, planRedLines } from './red-lines.js';

const BLUE: readonly BlueLine[] = [
  {
    lineNo: 1,
    amount: '100.00',
    tax: '13.00',
    taxRate: '0.13',
    taxCode: '1020101000000000000',
    quantity: '10',
    unitPrice: '10',
  },
  { lineNo: 2, amount: '200.00', tax: '12.00', taxRate: '0.06', taxCode: '3040201010000000000' },
];

describe('red reasons and remark (tax-rules §8)', () => {
  it('lists the reasons; only 01 is full-only', () => {
    expect(RED_REASONS.map((r) => [r, RED_REASON_INFO[r].name, RED_REASON_INFO[r].allowsPartial])).toEqual([
      ['01', '开票有误', false],
      ['02', '销货退回', true],
      ['03', '服务中止', true],
      ['04', '销售折让', true],
    ]);
  });

  it('builds the red remarks and recognises them', () => {
    const digital = buildRedRemark({
      type: 'digital',
      blueInvoiceNumber: '24312000000136634917',
      confirmationFormNumber: '11010824091002615708',
    });
    expect(digital).toBe('被红冲蓝字数电票号码：24312000000136634917 红字发票信息确认单编号：11010824091002615708');
    expect(hasRequiredRedRemark('82', digital)).toBe(true);
    expect(hasRequiredRedRemark('82', '退货')).toBe(false);
    const special = buildRedRemark({ type: 'legacy_special', infoTableNumber: '1111111111111111' });
    expect(special).toBe('开具红字增值税专用发票信息表编号1111111111111111');
    expect(hasRequiredRedRemark('004', special)).toBe(true);
    const ordinary = buildRedRemark({
      type: 'legacy_ordinary',
      blueInvoiceCode: '033002000211',
      blueInvoiceNumber: '83089647',
    });
    expect(hasRequiredRedRemark('026', ordinary)).toBe(true);
    expect(hasRequiredRedRemark('026', special)).toBe(false);
  });
});

describe('red lines', () => {
  it('full reversal negates every blue line, quantity negative, unit price positive', () => {
    expect(computeFullReversalLines(BLUE)).toEqual([
      {
        blueLineNo: 1,
        amount: '-100.00',
        tax: '-13.00',
        amountFen: -10000,
        taxFen: -1300,
        quantity: '-10',
        unitPrice: '10',
      },
      { blueLineNo: 2, amount: '-200.00', tax: '-12.00', amountFen: -20000, taxFen: -1200 },
    ]);
    expect(planRedLines({ reason: '01', blueLines: BLUE })).toMatchObject({
      ok: true,
      lines: [{ amount: '-100.00' }, { amount: '-200.00' }],
    });
  });

  it('partial red computes the tax at the blue rate and accepts up to the remaining amount', () => {
    const prior = [{ blueLineNo: 1, amount: '-60.00', tax: '-7.80', quantity: '-6' }];
    const result = planRedLines({
      reason: '02',
      blueLines: BLUE,
      priorRedLines: prior,
      requestedLines: [{ blueLineNo: 1, amount: '-40.00', quantity: '4' }],
    });
    expect(result).toEqual({
      ok: true,
      lines: [
        {
          blueLineNo: 1,
          amount: '-40.00',
          tax: '-5.20',
          amountFen: -4000,
          taxFen: -520,
          quantity: '-4',
          unitPrice: '10',
        },
      ],
    });
  });

  it('refuses over-reversal across earlier reds, by amount, tax or quantity', () => {
    const prior = [{ blueLineNo: 1, amount: '-60.00', tax: '-7.80', quantity: '-6' }];
    const over = planRedLines({
      reason: '02',
      blueLines: BLUE,
      priorRedLines: prior,
      requestedLines: [{ blueLineNo: 1, amount: '-40.01' }],
    });
    expect(over.ok ? [] : over.violations).toMatchObject([
      { code: 'RED_EXCEEDS_REMAINING', details: { blueLineNo: 1, exceeded: ['金额'] } },
    ]);
    const qty = planRedLines({
      reason: '02',
      blueLines: BLUE,
      priorRedLines: prior,
      requestedLines: [{ blueLineNo: 1, amount: '-1.00', quantity: '-5' }],
    });
    expect(qty.ok ? [] : qty.violations).toMatchObject([
      { code: 'RED_EXCEEDS_REMAINING', details: { exceeded: ['数量'] } },
    ]);
    const twice = planRedLines({
      reason: '04',
      blueLines: BLUE,
      requestedLines: [
        { blueLineNo: 2, amount: '-150.00' },
        { blueLineNo: 2, amount: '-50.01' },
      ],
    });
    expect(twice.ok ? [] : twice.violations.map((v) => v.path)).toEqual(['/lines/1/amount']);
    expect(planRedLines({ reason: '01', blueLines: BLUE, priorRedLines: prior }).ok).toBe(false);
  });

  it('04 销售折让 may omit quantities (amount-only)', () => {
    const result = planRedLines({
      reason: '04',
      blueLines: BLUE,
      requestedLines: [{ blueLineNo: 1, amount: '-10.00' }],
    });
    expect(result.ok && result.lines[0]).toEqual({
      blueLineNo: 1,
      amount: '-10.00',
      tax: '-1.30',
      amountFen: -1000,
      taxFen: -130,
    });
  });
});
