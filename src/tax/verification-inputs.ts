/**
 * Which inputs a 查验 (verification) query needs per verification type (tax-rules §4), and a format check of
 * those inputs. Real verification needs the STA service; this only says what to ask for and checks shapes.
 */
import { expandDate } from './qr-payload.js';
import type { VerificationTypeCode } from './verification-types.js';

/** The fourth input, besides code/number/date. */
export type VerificationFourthInput =
  | 'total_with_tax' // 价税合计 (数电票)
  | 'amount_excluding_tax' // 开具金额 不含税 (专票 01, 电子专票 08)
  | 'vehicle_price_excluding_tax' // 不含税价 (机动车 03)
  | 'total_amount' // 合计金额 (货运专票 02)
  | 'used_car_total' // 车价合计 (二手车 15)
  | 'check_code_last6'; // 校验码后 6 位 (普票 04/10/11/14)

/** Required inputs of one verification type. */
export interface VerificationInputSpec {
  readonly invoiceCodeRequired: boolean;
  readonly invoiceNumberDigits: 8 | 20;
  readonly issueDateRequired: true;
  readonly fourth: VerificationFourthInput;
  /** Chinese label of the fourth input. */
  readonly fourthLabel: string;
}

const LABELS: Readonly<Record<VerificationFourthInput, string>> = {
  total_with_tax: '价税合计',
  amount_excluding_tax: '开具金额（不含税）',
  vehicle_price_excluding_tax: '不含税价',
  total_amount: '合计金额',
  used_car_total: '车价合计',
  check_code_last6: '校验码后6位',
};

/** Options of {@link getVerificationInputs}. */
export interface VerificationInputOptions {
  /**
   * Tencent verifies 数电纸质普票 (86) with 校验码后 6 位 while the other sources verify all 数电票 by 价税合计
   * (tax-rules §4, conflicting sources) — default false (价税合计).
   */
  readonly paperOrdinaryUsesCheckCode?: boolean;
}

/** The inputs needed to verify an invoice of the given verification type. */
export function getVerificationInputs(
  type: VerificationTypeCode,
  options: VerificationInputOptions = {},
): VerificationInputSpec {
  const digital = Number(type) >= 51;
  const fourth = fourthInput(type, options);
  return {
    invoiceCodeRequired: !digital,
    invoiceNumberDigits: digital ? 20 : 8,
    issueDateRequired: true,
    fourth,
    fourthLabel: LABELS[fourth],
  };
}

function fourthInput(type: VerificationTypeCode, options: VerificationInputOptions): VerificationFourthInput {
  if (type === '86' && options.paperOrdinaryUsesCheckCode) return 'check_code_last6';
  switch (type) {
    case '01':
    case '08':
      return 'amount_excluding_tax';
    case '02':
      return 'total_amount';
    case '03':
      return 'vehicle_price_excluding_tax';
    case '15':
      return 'used_car_total';
    case '04':
    case '10':
    case '11':
    case '14':
      return 'check_code_last6';
    default:
      return 'total_with_tax';
  }
}

/** A verification query as the user typed it. */
export interface VerificationQuery {
  readonly invoiceCode?: string;
  readonly invoiceNumber: string;
  /** YYYY-MM-DD or YYYYMMDD. */
  readonly issueDate: string;
  /** The fourth input: an amount, or the last 6 digits of the check code. */
  readonly fourth: string;
}

/** Field-level problems of a verification query (S-ALXD formats, tax-rules §4). */
export type VerificationQueryProblem = 'invoice_code' | 'invoice_number' | 'issue_date' | 'amount' | 'check_code';

/** Checks the formats of a verification query for its type; returns the list of problems (empty = fine). */
export function checkVerificationQuery(
  type: VerificationTypeCode,
  query: VerificationQuery,
  options: VerificationInputOptions = {},
): VerificationQueryProblem[] {
  const spec = getVerificationInputs(type, options);
  const problems: VerificationQueryProblem[] = [];
  const code = query.invoiceCode ?? '';
  if (spec.invoiceCodeRequired ? !/^\d{10}$|^\d{12}$/.test(code) : code !== '') problems.push('invoice_code');
  const numberOk =
    spec.invoiceNumberDigits === 20
      ? /^\d{20}$/.test(query.invoiceNumber)
      : /^\d{8}$/.test(query.invoiceNumber) && query.invoiceNumber !== '00000000';
  if (!numberOk) problems.push('invoice_number');
  if (!expandDate(query.issueDate.replaceAll('-', ''))) problems.push('issue_date');
  if (spec.fourth === 'check_code_last6') {
    if (!/^\d{6}$/.test(query.fourth)) problems.push('check_code');
  } else if (!/^-?\d{1,11}(\.\d{1,2})?$/.test(query.fourth)) problems.push('amount');
  return problems;
}
