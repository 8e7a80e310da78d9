import { describe, expect, it } from 'vitest';
import { checkVerificationQuery, getVerificationInputs } from './verification-inputs.js';

describe('verification inputs (tax-rules §4)', () => {
  it('数电票 need number, date and 价税合计, no code', () => {
    expect(getVerificationInputs('81')).toEqual({
      invoiceCodeRequired: false,
      invoiceNumberDigits: 20,
      issueDateRequired: true,
      fourth: 'total_with_tax',
      fourthLabel: '价税合计',
    });
    expect(getVerificationInputs('51').fourth).toBe('total_with_tax');
  });

  it('legacy kinds need the code and the type-specific fourth input', () => {
    expect(getVerificationInputs('01')).toMatchObject({
      invoiceCodeRequired: true,
      invoiceNumberDigits: 8,
      fourth: 'amount_excluding_tax',
    });
    expect(
      ['02', '03', '04', '08', '10', '11', '14', '15'].map((t) => getVerificationInputs(t as '02').fourth),
    ).toEqual([
      'total_amount',
      'vehicle_price_excluding_tax',
      'check_code_last6',
      'amount_excluding_tax',
      'check_code_last6',
      'check_code_last6',
      'check_code_last6',
      'used_car_total',
    ]);
  });

  it('数电纸质普票 86 uses the check code only when configured (conflicting sources)', () => {
    expect(getVerificationInputs('86').fourth).toBe('total_with_tax');
    expect(getVerificationInputs('86', { paperOrdinaryUsesCheckCode: true }).fourth).toBe('check_code_last6');
  });

  it('checks query formats', () => {
    expect(
      checkVerificationQuery('82', { invoiceNumber: '24312000000136634917', issueDate: '2024-05-14', fourth: '0.01' }),
    ).toEqual([]);
    expect(
      checkVerificationQuery('82', {
        invoiceCode: '033002000211',
        invoiceNumber: '2431',
        issueDate: '20240230',
        fourth: '1.234',
      }),
    ).toEqual(['invoice_code', 'invoice_number', 'issue_date', 'amount']);
    expect(
      checkVerificationQuery('10', {
        invoiceCode: '033002000211',
        invoiceNumber: '83089647',
        issueDate: '20200723',
        fourth: '507415',
      }),
    ).toEqual([]);
    expect(checkVerificationQuery('10', { invoiceNumber: '83089647', issueDate: '20200723', fourth: '07415' })).toEqual(
      ['invoice_code', 'check_code'],
    );
  });
});
