import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeInvoiceTotals } from './compute-invoice-totals.js';
import { computeLine } from './compute-line.js';
import { TaxDecimal } from './decimal.js';
import type { ComputedInvoiceLine, InvoiceDraft } from './invoice-draft.js';
import { softwareLine, TEST_TAX_CODES, TEST_TRANSPORT_ENTRY, validDraft } from './test-fixtures.js';
import { validateInvoiceDraft } from './validate-invoice-draft.js';
import type { ValidateInvoiceOptions } from './validation-options.js';
import type { Violation } from './violations.js';

function violationsOf(draft: InvoiceDraft, options: ValidateInvoiceOptions = {}): readonly Violation[] {
  const result = validateInvoiceDraft(draft, { taxCodes: TEST_TAX_CODES, ...options });
  return result.ok ? [] : result.violations;
}

describe('validateInvoiceDraft — valid drafts', () => {
  it('computes lines, totals, fen and words for a simple 数电专票', () => {
    const result = validateInvoiceDraft(validDraft({ totals: { amount: '100.00', tax: '6.00', total: '106.00' } }));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const [line] = result.invoice.lines;
    expect(line).toMatchObject({
      lineNo: 1,
      renderedName: '*信息技术服务*软件开发服务',
      amount: '100.00',
      tax: '6.00',
      total: '106.00',
      amountFen: 10000,
      taxFen: 600,
      totalFen: 10600,
      taxRate: '0.06',
      taxRateLabel: '6%',
      lineNatureCode: '00',
      taxTreatment: 'taxable',
    });
    expect(result.invoice.totals).toEqual({
      amount: '100.00',
      tax: '6.00',
      total: '106.00',
      amountFen: 10000,
      taxFen: 600,
      totalFen: 10600,
      totalInWords: '壹佰零陆圆整',
    });
    expect(result.invoice).toMatchObject({
      kind: '81',
      isSpecial: true,
      isDigital: true,
      isRed: false,
      listRequired: false,
    });
  });

  it('reproduces the Didi discount example of tax-rules §5.6 (totals 98.77 / 2.96 / 101.73)', () => {
    const line = { name: '客运服务费', taxCode: TEST_TRANSPORT_ENTRY.code, taxRate: '0.03' };
    const draft = validDraft({
      kind: '82',
      lines: [
        {
          ...line,
          quantity: '1',
          unitPrice: '129.757282',
          amount: '129.76',
          taxAmount: '3.89',
          lineNature: 'discounted',
        },
        { ...line, amount: '-30.99', taxAmount: '-0.93', lineNature: 'discount' },
      ],
      totals: { amount: '98.77', tax: '2.96', total: '101.73' },
    });
    const result = validateInvoiceDraft(draft, { taxCodes: TEST_TAX_CODES });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.invoice.lines.map((l) => [l.renderedName, l.amount, l.tax, l.lineNatureCode])).toEqual([
      ['*运输服务*客运服务费', '129.76', '3.89', '02'],
      ['*运输服务*客运服务费', '-30.99', '-0.93', '01'],
    ]);
    expect(result.invoice.totals.totalInWords).toBe('壹佰零壹圆柒角叁分');
  });

  it('computes a tax-inclusive line (100.00 incl. 13% → 88.50 + 11.50, tax-rules §5.3)', () => {
    const draft = validDraft({
      lines: [
        {
          name: '煤',
          taxCode: '1020101000000000000',
          amount: '100.00',
          taxRate: '0.13',
          priceIncludesTax: true,
          quantity: '2',
          unitPrice: '50',
        },
      ],
    });
    const result = validateInvoiceDraft(draft);
    expect(result.ok && result.invoice.lines[0]).toMatchObject({
      amount: '88.50',
      tax: '11.50',
      total: '100.00',
      unitPrice: '44.25',
      unitPriceIncludingTax: '50',
    });
  });

  it('marks 免税 lines and prints 免税 / ***', () => {
    const draft = validDraft({
      kind: '82',
      lines: [{ name: '货代', taxCode: '3040802010200000000', amount: '500.00', taxRate: '0', taxPolicyFlag: '03' }],
    });
    const result = validateInvoiceDraft(draft);
    expect(result.ok && result.invoice.lines[0]).toMatchObject({
      taxTreatment: 'exempt',
      taxRateLabel: '免税',
      taxLabel: '***',
      tax: '0.00',
    });
  });

  it('accepts *简称*名称 input whose 简称 matches the code and strips it', () => {
    const result = validateInvoiceDraft(validDraft({ lines: [softwareLine({ name: '*信息技术服务*定制开发' })] }));
    expect(result.ok && result.invoice.lines[0]?.renderedName).toBe('*信息技术服务*定制开发');
  });

  it('infers a natural person from the 个人 title on a 普票 and warns', () => {
    const result = validateInvoiceDraft(validDraft({ kind: '82', buyer: { name: '个人' } }));
    expect(result.ok).toBe(true);
    expect(result.ok && result.invoice.buyer).toMatchObject({ naturalPerson: true, displayName: '个人' });
    expect(result.warnings.map((w) => w.code)).toEqual(['BUYER_NATURAL_PERSON_INFERRED']);
  });

  it('flags paper kinds with more than 8 lines as needing a 销货清单', () => {
    const lines = Array.from({ length: 9 }, () => softwareLine());
    const result = validateInvoiceDraft(validDraft({ kind: '86', lines }));
    expect(result.ok && result.invoice.listRequired).toBe(true);
    expect(result.warnings.map((w) => w.code)).toContain('LIST_REQUIRED');
  });

  it('accepts a red draft with negative lines, a historical rate and the red remark', () => {
    const remark = '被红冲蓝字数电票号码：24312000000136634917 红字发票信息确认单编号：11010824091002615708';
    const line = {
      name: '煤',
      taxCode: '1020101000000000000',
      taxRate: '0.17',
      amount: '-500.00',
      quantity: '-5',
      unitPrice: '100',
    };
    const result = validateInvoiceDraft(validDraft({ isRed: true, remark, lines: [line] }));
    expect(result.ok && result.invoice.totals).toMatchObject({
      total: '-585.00',
      totalFen: -58500,
      totalInWords: '（负数）伍佰捌拾伍圆整',
    });
  });

  it('collects every violation instead of stopping at the first', () => {
    const draft = validDraft({
      seller: { taxId: 'BAD' },
      buyer: { name: '' },
      lines: [softwareLine({ taxRate: '6%', amount: 'x' })],
    });
    const codes = violationsOf(draft).map((v) => v.code);
    expect(codes).toEqual(
      expect.arrayContaining([
        'SELLER_TAX_ID_INVALID',
        'FIELD_REQUIRED',
        'TAX_RATE_FORMAT_INVALID',
        'DECIMAL_FORMAT_INVALID',
        'BUYER_TAX_ID_REQUIRED',
      ]),
    );
  });
});

describe('validateInvoiceDraft — messages, paths and details', () => {
  it('names the line and field in LINE_TAX_OUT_OF_TOLERANCE (legacy tolerance 0.06)', () => {
    const coal = { name: '煤', taxCode: '1020101000000000000', amount: '100.00', taxRate: '0.13' };
    const draft = validDraft({ kind: '026', lines: [{ ...coal }, { ...coal, taxAmount: '13.50' }] });
    expect(violationsOf(draft)).toEqual([
      {
        code: 'LINE_TAX_OUT_OF_TOLERANCE',
        path: '/lines/1/taxAmount',
        message: '第2行明细：税额 13.50 与 金额×税率 13.00 的差额超过 0.06 元',
        details: { expected: '13.00', tolerance: '0.06' },
      },
    ]);
  });

  it('accepts a supplied tax within the tolerance and keeps it', () => {
    const result = validateInvoiceDraft(
      validDraft({ kind: '026', buyer: { name: '个人' }, lines: [softwareLine({ taxAmount: '6.05' })] }),
    );
    expect(result.ok && result.invoice.lines[0]?.tax).toBe('6.05');
  });

  it('TOTAL_MISMATCH names the expected totals in details', () => {
    const [v] = violationsOf(validDraft({ totals: { amount: '100.00', tax: '6.01', total: '106.01' } }));
    expect(v).toMatchObject({
      code: 'TOTAL_MISMATCH',
      path: '/totals',
      details: { expected: { amount: '100.00', tax: '6.00', total: '106.00' } },
    });
    expect(v?.message).toContain('合计税额 6.01（应为 6.00）');
  });
});

describe('validateInvoiceDraft — properties', () => {
  const lineSpec = fc.record({
    fen: fc.integer({ min: 1, max: 1e11 }),
    code: fc.constantFrom('3040201010000000000', '1020101000000000000', '3070401000000000000'),
    rate: fc.constantFrom('0.13', '0.09', '0.06', '0.03', '0.01'),
    incl: fc.boolean(),
    quantity: fc.integer({ min: 1, max: 1000 }),
  });

  it('drafts whose taxes and totals come from computeLine are accepted, and totals equal the sums of lines', () => {
    fc.assert(
      fc.property(fc.array(lineSpec, { minLength: 1, maxLength: 30 }), (specs) => {
        const lines = specs.map((s) => {
          const amount = (s.fen / 100).toFixed(2);
          const computed = computeLine({ amount, taxRate: s.rate, priceIncludesTax: s.incl });
          // Unit price with enough precision that round2(qty × price) = amount.
          const unitPrice = new TaxDecimal(amount).dividedBy(s.quantity).toDecimalPlaces(10).toFixed();
          return {
            name: '商品',
            taxCode: s.code,
            amount,
            taxRate: s.rate,
            priceIncludesTax: s.incl,
            taxAmount: computed.tax,
            quantity: String(s.quantity),
            unitPrice,
          };
        });
        const expected = computeInvoiceTotals(lines.map((l) => computeLine(l)));
        const result = validateInvoiceDraft(
          validDraft({ lines, totals: { amount: expected.amount, tax: expected.tax, total: expected.total } }),
        );
        expect(result.ok ? [] : result.violations).toEqual([]);
        if (!result.ok) return;
        const invoiceLines = result.invoice.lines;
        const sumFen = (pick: (l: ComputedInvoiceLine) => number) => invoiceLines.reduce((acc, l) => acc + pick(l), 0);
        expect(result.invoice.totals.amountFen).toBe(sumFen((l) => l.amountFen));
        expect(result.invoice.totals.taxFen).toBe(sumFen((l) => l.taxFen));
        expect(result.invoice.totals.totalFen).toBe(result.invoice.totals.amountFen + result.invoice.totals.taxFen);
      }),
      { numRuns: 200 },
    );
  });

  it('a supplied tax off by more than the tolerance is always refused, within it always accepted', () => {
    fc.assert(
      fc.property(lineSpec, fc.integer({ min: -20, max: 20 }), (s, offsetFen) => {
        const amount = (s.fen / 100).toFixed(2);
        const computed = computeLine({ amount, taxRate: s.rate });
        const taxAmount = ((computed.taxFen + offsetFen) / 100).toFixed(2);
        const draft = validDraft({
          kind: '026',
          buyer: { name: '个人' },
          lines: [{ name: '商品', taxCode: s.code, amount, taxRate: s.rate, taxAmount }],
        });
        const result = validateInvoiceDraft(draft);
        const codes = result.ok ? [] : result.violations.map((v) => v.code);
        expect(codes).toEqual(Math.abs(offsetFen) > 6 ? ['LINE_TAX_OUT_OF_TOLERANCE'] : []);
      }),
    );
  });
});
