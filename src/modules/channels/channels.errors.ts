import { AppError, defineErrors } from '../../platform/errors/app-error.js';
import type { ChannelError } from './issuing-channel.js';

/**
 * Codes a channel may report (as ChannelError.code) and the sandbox's own admin errors. The invoicing module turns
 * a ChannelError into an AppError by code, so every code a channel can raise is declared here for docs/errors.md.
 */
export const CHANNEL_ERRORS = defineErrors({
  CHANNEL_UNAVAILABLE: {
    statusCode: 503,
    message: '开票通道暂时不可用，请稍后重试',
    description: 'The tax platform (or the sandbox simulating it) failed transiently; the call is retried.',
  },
  CHANNEL_TIMEOUT: {
    statusCode: 503,
    message: '开票通道响应超时，请求可能已受理',
    description: 'The platform did not answer in time; it may have recorded the request (query by request id).',
  },
  CHANNEL_REJECTED: {
    statusCode: 422,
    message: '开票通道拒绝了请求',
    description: 'The tax platform refused the request for a reason that retrying will not fix.',
  },
  CHANNEL_CREDENTIAL_INVALID: {
    statusCode: 403,
    message: '开票通道账户凭据不正确',
    description:
      "The credential presented to bind a seller's channel account is not the one the platform issued for that tax id (sandbox: `openfapiao sandbox credential`).",
  },
  QUOTA_EXCEEDED: {
    statusCode: 422,
    message: '本月授信额度不足',
    description: "The invoice exceeds the seller's remaining monthly credit quota (授信额度, tax-rules §5.7).",
  },
  BLUE_INVOICE_NOT_FOUND: {
    statusCode: 422,
    message: '税局未找到该蓝字发票',
    description: 'The blue invoice to reverse is not on the platform for this seller.',
  },
  RED_AMOUNT_INVALID: {
    statusCode: 422,
    message: '红字金额不正确',
    description: 'Red amounts must be negative, and the lines must add up to the totals and exist on the blue.',
  },
  RED_PARTIAL_NOT_ALLOWED: {
    statusCode: 422,
    message: '该冲红原因只能全额红冲',
    description: 'Partial reversal is only allowed for reasons 02/03/04 (tax-rules §8.1).',
  },
  RED_EXCEEDS_REMAINING: {
    statusCode: 422,
    message: '红冲金额超过蓝字发票剩余可红冲金额',
    description: 'All red forms against one blue invoice together may not exceed its totals (tax-rules §8.1).',
  },
  RED_FORM_NOT_FOUND: {
    statusCode: 404,
    message: '红字发票信息确认单不存在',
    description: 'No red confirmation form with that id in this tenant.',
  },
  RED_FORM_NOT_PENDING: {
    statusCode: 409,
    message: '红字发票信息确认单不在待确认状态',
    description: 'Only a form pending the buyer can be confirmed or rejected.',
  },
  RED_FORM_EXPIRED: {
    statusCode: 409,
    message: '红字发票信息确认单已超72小时未确认，已作废',
    description: 'The buyer did not decide within 72 hours (tax-rules §8.1); apply for a new form.',
  },
  RED_FORM_NOT_CONFIRMED: {
    statusCode: 409,
    message: '红字发票信息确认单未确认，不能开具红字发票',
    description: 'A red invoice needs a form that is confirmed or needs no confirmation (tax-rules §8.1 item 4).',
  },
  RED_FORM_ALREADY_USED: {
    statusCode: 409,
    message: '该红字发票信息确认单已开具红字发票',
    description: 'One red invoice per form (tax-rules §8.1 item 4).',
  },
  RED_INVOICE_MISMATCH: {
    statusCode: 422,
    message: '红字发票与确认单不一致',
    description: 'The red invoice must reverse the blue invoice and amounts of its confirmation form.',
  },
  SANDBOX_SETTINGS_INVALID: {
    statusCode: 422,
    message: '沙箱设置不正确',
    description: 'A sandbox setting (rates, rules, quota) is out of range.',
  },
});

/** Seconds a client is told to wait (`Retry-After`) before repeating a call the channel failed transiently. */
const CHANNEL_RETRY_AFTER_SECONDS = 5;

/**
 * The one mapping of a channel failure to an API error (every module answering a channel call over HTTP uses it).
 * A transient failure is retryable: 503 `CHANNEL_UNAVAILABLE` (or `CHANNEL_TIMEOUT` when the channel said so) with
 * `Retry-After`, whatever code the channel gave. A permanent one is the channel's own declared 4xx code
 * (`RED_FORM_NOT_PENDING`, `QUOTA_EXCEEDED`, …) or else 422 `CHANNEL_REJECTED`. `details.channelCode` keeps the
 * channel's code, `details.retryable` says which of the two it was; `extra` adds the caller's details.
 */
export function channelErrorToAppError(err: ChannelError, extra: Record<string, unknown> = {}): AppError {
  const declared = Object.values(CHANNEL_ERRORS).find((c) => c.code === err.code);
  const transient = err.kind === 'transient';
  const code = transient
    ? declared && declared.statusCode >= 500
      ? declared
      : CHANNEL_ERRORS.CHANNEL_UNAVAILABLE
    : declared && declared.statusCode < 500
      ? declared
      : CHANNEL_ERRORS.CHANNEL_REJECTED;
  return new AppError(
    code,
    err.message,
    { ...(err.details ?? {}), ...extra, channelCode: err.code, retryable: transient },
    transient ? { headers: { 'retry-after': String(CHANNEL_RETRY_AFTER_SECONDS) } } : undefined,
  );
}
