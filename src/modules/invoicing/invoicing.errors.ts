import { defineErrors, type ErrorCode } from '../../platform/errors/app-error.js';
import { defineFailureCodes } from '../../platform/errors/failure-codes.js';
import { TAX_VIOLATION_CODES, type TaxViolationCode } from '../../tax/index.js';
import { CHANNEL_ERRORS, type ChannelError } from '../channels/index.js';

export const {
  INVOICE_NOT_FOUND,
  INVOICE_NOT_EDITABLE,
  INVOICE_NOT_RETRYABLE,
  INVOICE_NOT_CANCELLABLE,
  INVOICE_NOT_REVERSIBLE,
  INVOICE_RED_IN_PROGRESS,
  INVOICE_OUTCOME_UNKNOWN,
  EXPORT_TOO_LARGE,
} = defineErrors({
  EXPORT_TOO_LARGE: {
    statusCode: 422,
    message: '导出的发票超过上限，请缩小筛选范围后分批导出',
    description:
      'An invoice export (CSV/XLSX) would exceed its row cap (details.maxRows); narrow the filters, e.g. the date range.',
  },
  INVOICE_NOT_FOUND: {
    statusCode: 404,
    message: '发票不存在',
    description: 'No invoice with that serial number in this tenant.',
  },
  INVOICE_NOT_EDITABLE: {
    statusCode: 409,
    message: '只有开票失败的请求可以修改',
    description: 'PATCH is only allowed while the invoice is failed.',
  },
  INVOICE_NOT_RETRYABLE: {
    statusCode: 409,
    message: '只有开票失败的请求可以重试',
    description: 'Retry is only allowed while the invoice is failed.',
  },
  INVOICE_NOT_CANCELLABLE: {
    statusCode: 409,
    message: '发票已提交开具或已开具，不能取消',
    description:
      'Only failed requests, and pending ones whose issue job has not started yet, can be cancelled; issuing or issued ones cannot (details.issueStarted when a worker has taken the job).',
  },
  INVOICE_NOT_REVERSIBLE: {
    statusCode: 409,
    message: '该发票当前状态不能红冲',
    description: 'Red-letter reversal needs an issued (or partially reversed) blue invoice.',
  },
  INVOICE_RED_IN_PROGRESS: {
    statusCode: 409,
    message: '该发票已有红冲在处理中',
    description: 'Another red request for this blue invoice is awaiting confirmation or issuing.',
  },
  INVOICE_OUTCOME_UNKNOWN: {
    statusCode: 409,
    message: '开具结果未知，请先重试以向通道确认，确认前不能修改',
    description: 'The channel did not answer whether it issued the invoice; retry (same request id) before editing.',
  },
});

/** Red forms and channel refusals are the channels module's codes; invoicing answers with the same ones. */
export const { RED_FORM_NOT_FOUND, CHANNEL_REJECTED } = CHANNEL_ERRORS;

/**
 * Every tax-rule violation (src/tax) is an API error of its own: 422 with the violation's code, so clients can
 * react to `BUYER_TAX_ID_REQUIRED` and `TOTAL_MISMATCH` alike.
 */
export const TAX_RULE_ERRORS: Readonly<Record<TaxViolationCode, ErrorCode>> = {
  ...defineErrors(
    Object.fromEntries(
      Object.entries(TAX_VIOLATION_CODES)
        .filter(([code]) => !(code in CHANNEL_ERRORS))
        .map(([code, description]) => [
          code,
          { statusCode: 422, message: description, description: `Tax rule: ${description}` },
        ]),
    ) as Record<TaxViolationCode, Omit<ErrorCode, 'code'>>,
  ),
  // Rules the channel enforces too (over-reversal, partial red for reason 01) keep the channel's declaration.
  ...Object.fromEntries(Object.entries(CHANNEL_ERRORS).filter(([code]) => code in TAX_VIOLATION_CODES)),
} as Record<TaxViolationCode, ErrorCode>;

/**
 * The codes invoicing records as an invoice's `failure.code` (`invoices.failure_code`), besides a channel's own code
 * for its refusals (`channelFailureCode`). Every write of the column takes an `InvoiceFailureCode`.
 */
export const INVOICE_FAILURE_CODES = defineFailureCodes(
  '`failure.code` of an invoice',
  'An invoice that is `failed` (or `issuing` while its job retries) says why in `failure` {code, reason}. Besides ' +
    "the codes below, a channel's refusal is recorded under the channel's own code: one of the channel codes above " +
    '(`CHANNEL_REJECTED`, `QUOTA_EXCEEDED`, `RED_EXCEEDS_REMAINING`, `CHANNEL_TIMEOUT`, …) or, from a sandbox ' +
    "failure rule, the rule's `code`. `GET /api/v1/monitor` counts failed invoices by code.",
  {
    SELLER_NOT_BOUND:
      "The seller's channel account was unbound (or bound by another tenant) before the queued request reached the channel; bind it again, then `POST …/retry`.",
    CHANNEL_UNAVAILABLE:
      'The channel failed transiently on every attempt and has no invoice under the request (also the code noted while the job still retries); `POST …/retry`.',
    CHANNEL_OUTCOME_UNKNOWN:
      'The last attempt got no answer and the channel could not be asked whether it issued: only `POST …/retry` (same channel request id) clears it; `PATCH` is refused until then.',
    ISSUE_INTERRUPTED:
      'The issue job went dead (workers crashed, or our commit kept failing) and the channel has no invoice under the request; `POST …/retry`.',
    INTERNAL:
      'The stored request could not be turned into a channel request (a defect): report it with the serial number.',
    RED_FORM_REJECTED:
      'A red request: the buyer rejected the red confirmation form (红字确认单); the blue invoice is back in its former state.',
    RED_FORM_EXPIRED:
      'A red request: the confirmation form was not decided within 72 hours and is void; the blue invoice is back in its former state.',
    RED_FORM_INTERRUPTED:
      'A red request: the confirmation-form job went dead; the blue invoice is freed, request the red again.',
  },
);

/** A code a channel reported (ChannelError.code), recorded as it is: declared in CHANNEL_ERRORS, or a sandbox rule's. */
export type ChannelFailureCode = string & { readonly __channelFailureCode: true };

/** What `invoices.failure_code` may hold: one of INVOICE_FAILURE_CODES, or a channel's own code. */
export type InvoiceFailureCode = keyof typeof INVOICE_FAILURE_CODES | ChannelFailureCode;

/** The failure code of a channel error: the channel's code, unchanged. */
export function channelFailureCode(err: ChannelError): ChannelFailureCode {
  return err.code as ChannelFailureCode;
}
