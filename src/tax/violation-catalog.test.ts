import { describe, expect, it } from 'vitest';
import type { InvoiceDraft } from './invoice-draft.js';
import { type BlueLine, planRedLines, type RedPlanInput } from './red-lines.js';
import { BUYER_TAX_ID, softwareLine, TEST_TAX_CODES, validDraft } from './test-fixtures.js';
import { validateInvoiceDraft } from './validate-invoice-draft.js';
import type { ValidateInvoiceOptions } from './validation-options.js';
import { TAX_VIOLATION_CODES, type Violation } from './violations.js';

function violationsOf(draft: InvoiceDraft, options: ValidateInvoiceOptions = {}): readonly Violation[] {
  const result = validateInvoiceDraft(draft, { taxCodes: TEST_TAX_CODES, ...options });
  return result.ok ? [] : result.violations;
}

type Case = readonly [code: string, draft: InvoiceDraft, options?: ValidateInvoiceOptions];
const coal = { name: '煤', taxCode: '1020101000000000000', taxRate: '0.13' };
const RED_REMARK = '被红冲蓝字数电票号码：24312000000136634917 红字发票信息确认单编号：11010824091002615708';

/** One or more failing drafts per draft-level code. */
const FAILING_DRAFTS: readonly Case[] = [
  ['INVOICE_KIND_INVALID', validDraft({ kind: '99' })],
  ['FIELD_REQUIRED', validDraft({ buyer: { name: ' ', taxId: BUYER_TAX_ID } })],
  ['FIELD_TOO_LONG', validDraft({ remark: '备'.repeat(451) })],
  ['FIELD_TOO_LONG', validDraft({ remark: '备'.repeat(226) }), { lengthUnit: 'gbk-bytes' }],
  ['DECIMAL_FORMAT_INVALID', validDraft({ lines: [softwareLine({ amount: 100 as unknown as string })] })],
  ['PRECISION_EXCEEDED', validDraft({ lines: [softwareLine({ amount: '100.001' })] })],
  ['AMOUNT_OUT_OF_RANGE', validDraft({ lines: [softwareLine({ amount: '1234567890123.00' })] })],
  ['SELLER_TAX_ID_INVALID', validDraft({ seller: { taxId: '91110000600037341A' } })],
  ['BUYER_TAX_ID_REQUIRED', validDraft({ buyer: { name: '示例购买方有限公司' } })],
  ['BUYER_TAX_ID_REQUIRED', validDraft({ kind: '82', buyer: { name: '某某科技有限公司' } })],
  ['BUYER_TAX_ID_INVALID', validDraft({ buyer: { name: '示例购买方有限公司', taxId: BUYER_TAX_ID.toLowerCase() } })],
  [
    'BUYER_NATURAL_PERSON_NOT_ALLOWED',
    validDraft({ buyer: { name: '张三', taxId: '11010519491231002X', naturalPerson: true } }),
  ],
  ['LINES_REQUIRED', validDraft({ lines: [] })],
  ['TOO_MANY_LINES', validDraft({ lines: [softwareLine(), softwareLine(), softwareLine()] }), { maxLines: 2 }],
  ['LINE_NATURE_INVALID', validDraft({ lines: [softwareLine({ lineNature: 'gift' as 'normal' })] })],
  ['LINE_NAME_PREFIX_MISMATCH', validDraft({ lines: [softwareLine({ name: '*餐饮服务*软件开发' })] })],
  ['TAX_CODE_INVALID', validDraft({ lines: [softwareLine({ taxCode: '7040201010000000000' })] })],
  ['TAX_CODE_UNKNOWN', validDraft({ lines: [softwareLine({ taxCode: '1010101010000000000' })] })],
  ['TAX_CODE_NOT_LEAF', validDraft({ lines: [softwareLine({ taxCode: '3000000000000000000' })] })],
  ['TAX_RATE_FORMAT_INVALID', validDraft({ lines: [softwareLine({ taxRate: '6%' })] })],
  ['TAX_RATE_NOT_ALLOWED', validDraft({ lines: [{ ...coal, taxRate: '0.17', amount: '100.00' }] })],
  ['TAX_POLICY_FLAG_INVALID', validDraft({ lines: [softwareLine({ taxPolicyFlag: '19' })] })],
  ['TAX_RATE_POLICY_MISMATCH', validDraft({ lines: [softwareLine({ taxPolicyFlag: '03' })] })],
  ['QUANTITY_PRICE_INCOMPLETE', validDraft({ lines: [softwareLine({ quantity: '1' })] })],
  ['QUANTITY_SIGN_INVALID', validDraft({ lines: [softwareLine({ quantity: '-1', unitPrice: '100' })] })],
  [
    'UNIT_PRICE_NEGATIVE',
    validDraft({
      isRed: true,
      remark: RED_REMARK,
      lines: [softwareLine({ amount: '-100.00', quantity: '1', unitPrice: '-100' })],
    }),
  ],
  ['LINE_AMOUNT_SIGN_INVALID', validDraft({ lines: [softwareLine({ amount: '-100.00' })] })],
  ['LINE_AMOUNT_SIGN_INVALID', validDraft({ isRed: true, remark: RED_REMARK })],
  [
    'LINE_AMOUNT_INCONSISTENT',
    validDraft({ lines: [softwareLine({ quantity: '3', unitPrice: '33.33', amount: '100.01' })] }),
  ],
  ['LINE_TAX_OUT_OF_TOLERANCE', validDraft({ lines: [softwareLine({ taxAmount: '6.02' })] })],
  [
    'LINE_TAX_OUT_OF_TOLERANCE',
    validDraft({ lines: [{ ...coal, amount: '100', taxRate: '0', taxPolicyFlag: '04', taxAmount: '0.01' }] }),
  ],
  [
    'INVOICE_TAX_OUT_OF_TOLERANCE',
    validDraft({ lines: [softwareLine({ taxAmount: '6.01' }), softwareLine({ taxAmount: '6.01' })] }),
    { invoiceTaxTolerance: '0.01' },
  ],
  [
    'DISCOUNT_LINE_MISPLACED',
    validDraft({ lines: [softwareLine(), softwareLine({ amount: '-10.00', lineNature: 'discount' })] }),
  ],
  ['DISCOUNTED_LINE_WITHOUT_DISCOUNT', validDraft({ lines: [softwareLine({ lineNature: 'discounted' })] })],
  [
    'DISCOUNT_LINE_MISMATCH',
    validDraft({
      lines: [
        softwareLine({ lineNature: 'discounted' }),
        softwareLine({ name: '其他', amount: '-10.00', lineNature: 'discount' }),
      ],
    }),
  ],
  [
    'DISCOUNT_LINE_HAS_QUANTITY',
    validDraft({
      lines: [
        softwareLine({ lineNature: 'discounted' }),
        softwareLine({ amount: '-10.00', quantity: '-1', unitPrice: '10', lineNature: 'discount' }),
      ],
    }),
  ],
  [
    'DISCOUNT_AMOUNT_SIGN_INVALID',
    validDraft({
      lines: [softwareLine({ lineNature: 'discounted' }), softwareLine({ amount: '10.00', lineNature: 'discount' })],
    }),
  ],
  [
    'DISCOUNT_EXCEEDS_LINE',
    validDraft({
      lines: [softwareLine({ lineNature: 'discounted' }), softwareLine({ amount: '-100.01', lineNature: 'discount' })],
    }),
  ],
  ['TOTAL_MISMATCH', validDraft({ totals: { amount: '100.00', tax: '6.00', total: '106.01' } })],
  ['RED_REMARK_MISSING', validDraft({ isRed: true, lines: [softwareLine({ amount: '-100.00' })] })],
];

describe('validateInvoiceDraft — one failing case per code', () => {
  it.each(FAILING_DRAFTS.map(([code, draft, options]) => ({ code, draft, options })))(
    '$code',
    ({ code, draft, options }) => {
      const codes = violationsOf(draft, options).map((v) => v.code);
      expect(codes).toContain(code);
    },
  );

  it('the base draft used by the failing cases is valid', () => {
    expect(violationsOf(validDraft())).toEqual([]);
  });

  it('数量×单价 within 0.01 passes (boundary of LINE_AMOUNT_INCONSISTENT)', () => {
    expect(
      violationsOf(validDraft({ lines: [softwareLine({ quantity: '3', unitPrice: '33.33', amount: '100.00' })] })),
    ).toEqual([]);
    expect(violationsOf(validDraft({ remark: '备'.repeat(226) }))).toEqual([]);
  });

  it('a discount within the discounted amount passes (boundary of DISCOUNT_EXCEEDS_LINE)', () => {
    const draft = validDraft({
      lines: [softwareLine({ lineNature: 'discounted' }), softwareLine({ amount: '-100.00', lineNature: 'discount' })],
    });
    expect(violationsOf(draft)).toEqual([]);
  });

  it('historical rates are allowed on red drafts only', () => {
    const red = validDraft({
      isRed: true,
      remark: RED_REMARK,
      lines: [{ ...coal, taxRate: '0.16', amount: '-100.00' }],
    });
    expect(violationsOf(red)).toEqual([]);
  });
});

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

/** One failing red plan per red-letter code. */
const FAILING_RED_PLANS: ReadonlyArray<readonly [code: string, input: RedPlanInput]> = [
  ['RED_REASON_INVALID', { reason: '05', blueLines: BLUE }],
  ['RED_PARTIAL_NOT_ALLOWED', { reason: '01', blueLines: BLUE, requestedLines: [{ blueLineNo: 1, amount: '-10.00' }] }],
  ['RED_REASON_NOT_APPLICABLE', { reason: '02', blueLines: [BLUE[1] as BlueLine] }],
  ['RED_REASON_NOT_APPLICABLE', { reason: '03', blueLines: [BLUE[0] as BlueLine] }],
  ['RED_LINE_UNKNOWN', { reason: '04', blueLines: BLUE, requestedLines: [{ blueLineNo: 3, amount: '-10.00' }] }],
  ['RED_EXCEEDS_REMAINING', { reason: '04', blueLines: BLUE, requestedLines: [{ blueLineNo: 1, amount: '-100.01' }] }],
  ['LINE_AMOUNT_SIGN_INVALID', { reason: '04', blueLines: BLUE, requestedLines: [{ blueLineNo: 1, amount: '10.00' }] }],
  ['PRECISION_EXCEEDED', { reason: '04', blueLines: BLUE, requestedLines: [{ blueLineNo: 1, amount: '-1.001' }] }],
];

describe('red plans — one failing case per code', () => {
  it.each(FAILING_RED_PLANS)('%s', (code, input) => {
    const result = planRedLines(input);
    expect(result.ok ? [] : result.violations.map((v) => v.code)).toContain(code);
  });
});

describe('TAX_VIOLATION_CODES', () => {
  it('every catalogued code has at least one failing case above', () => {
    const covered = new Set([...FAILING_DRAFTS.map(([code]) => code), ...FAILING_RED_PLANS.map(([code]) => code)]);
    expect(Object.keys(TAX_VIOLATION_CODES).filter((code) => !covered.has(code))).toEqual([]);
  });

  it('codes are UPPER_SNAKE and descriptions are Chinese', () => {
    for (const [code, description] of Object.entries(TAX_VIOLATION_CODES)) {
      expect(code).toMatch(/^[A-Z]+(_[A-Z]+)*$/);
      expect(description).toMatch(/[\u4e00-\u9fff]/);
    }
  });
});
