import { describe, expect, it } from 'vitest';
import type { Violation } from '../../tax/index.js';
import { taxViolationsError } from './tax-violations-error.js';

const violations: Violation[] = [
  { code: 'TOTAL_MISMATCH', path: '/totals/total', message: '价税合计不一致', details: { expected: '117.00' } },
  { code: 'BUYER_TAX_ID_REQUIRED', path: '/buyer/taxId', message: '购买方纳税人识别号必填' },
];

describe('taxViolationsError', () => {
  it('answers 422 with the first violation’s code and message and lists every violation', () => {
    const err = taxViolationsError(violations);
    expect(err).toMatchObject({ code: 'TOTAL_MISMATCH', statusCode: 422, message: '价税合计不一致' });
    expect(err.details).toEqual({
      violations: [
        { code: 'TOTAL_MISMATCH', path: '/totals/total', message: '价税合计不一致' },
        { code: 'BUYER_TAX_ID_REQUIRED', path: '/buyer/taxId', message: '购买方纳税人识别号必填' },
      ],
    });
  });

  it('withDetails keeps each violation’s details and spreads the first one’s', () => {
    expect(taxViolationsError(violations, { withDetails: true }).details).toEqual({
      violations: [
        { code: 'TOTAL_MISMATCH', path: '/totals/total', message: '价税合计不一致', details: { expected: '117.00' } },
        { code: 'BUYER_TAX_ID_REQUIRED', path: '/buyer/taxId', message: '购买方纳税人识别号必填' },
      ],
      expected: '117.00',
    });
  });

  it('refuses an empty list (there is no code to answer with)', () => {
    expect(() => taxViolationsError([])).toThrow();
  });
});
