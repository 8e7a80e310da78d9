/**
 * Public surface of the pure tax rules library (no I/O). See shared/domain/tax-rules.md for the rules.
 */

export * from './amount-in-words.js';
export * from './buyer-rules.js';
export * from './compliance.js';
export * from './compute-invoice-totals.js';
export * from './compute-line.js';
export * from './crc16.js';
export * from './decimal.js';
export * from './deduction.js';
export * from './deduction-statuses.js';
export * from './field-limits.js';
export * from './invoice-draft.js';
export * from './invoice-kinds.js';
export * from './invoice-number.js';
export * from './item-name.js';
export * from './legacy-invoice-code.js';
export * from './line-natures.js';
export * from './printed-line.js';
export * from './qr-payload.js';
export * from './qr-types.js';
export * from './received-invoice-kinds.js';
export * from './received-verification.js';
export * from './red-letter.js';
export * from './red-lines.js';
export * from './resident-id.js';
export * from './tax-code-csv.js';
export * from './tax-code-rates.js';
export * from './tax-codes.js';
export * from './tax-id.js';
export * from './tax-policy-flags.js';
export * from './tax-rates.js';
export * from './usage-statuses.js';
export * from './uscc.js';
export * from './validate-invoice-draft.js';
export * from './validation-options.js';
export * from './verification-inputs.js';
export * from './verification-statuses.js';
export * from './verification-types.js';
export * from './violations.js';
