import { AppError } from '../../platform/errors/app-error.js';
import type { Violation } from '../../tax/index.js';
import { TAX_RULE_ERRORS } from './invoicing.errors.js';

/**
 * The one mapping of tax-rule violations (src/tax) to an API error: 422 with the first violation's code and message,
 * `details.violations` listing every one (code, JSON pointer, Chinese message). `withDetails` also carries each
 * violation's own details and spreads the first one's into `details` (what POST /invoices has always answered).
 */
export function taxViolationsError(
  violations: readonly Violation[],
  options: { withDetails?: boolean } = {},
): AppError {
  const first = violations[0];
  if (!first) throw new Error('taxViolationsError needs at least one violation');
  const listed = violations.map((v) => ({
    code: v.code,
    path: v.path,
    message: v.message,
    ...(options.withDetails && v.details ? { details: v.details } : {}),
  }));
  return new AppError(TAX_RULE_ERRORS[first.code], first.message, {
    violations: listed,
    ...(options.withDetails ? (first.details ?? {}) : {}),
  });
}
