/**
 * Which 查验 inputs a RECEIVED invoice kind needs (tax-rules §1.1 "查验" column, §4): the verification type of each
 * received kind, and the fourth input it takes. Pure.
 */
import type { ReceivedInvoiceKind } from './received-invoice-kinds.js';
import { getVerificationInputs, type VerificationInputSpec } from './verification-inputs.js';
import type { VerificationTypeCode } from './verification-types.js';

const VERIFICATION_TYPE_OF_KIND: Readonly<Record<Exclude<ReceivedInvoiceKind, 'other'>, VerificationTypeCode>> = {
  '81': '81',
  '82': '82',
  '85': '85',
  '86': '86',
  '51': '51',
  '61': '61',
  '83': '83',
  '84': '84',
  '004': '01',
  '007': '04',
  '025': '11',
  '026': '10',
  '027': '14',
  '028': '08',
  '003': '03',
  '006': '15',
};

/** The 查验 type code of a received kind (81→81, 004→01, 026→10, 027→14 …), or null for `other` / unknown. */
export function verificationTypeOfReceivedKind(kind: string): VerificationTypeCode | null {
  return (VERIFICATION_TYPE_OF_KIND as Record<string, VerificationTypeCode>)[kind] ?? null;
}

/** The 查验 inputs of a received kind, or null when it cannot be verified (`other`). */
export function receivedVerificationInputs(kind: string): VerificationInputSpec | null {
  const type = verificationTypeOfReceivedKind(kind);
  return type ? getVerificationInputs(type) : null;
}
