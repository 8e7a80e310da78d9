import { defineErrors } from '../../platform/errors/app-error.js';

export const {
  SCAN_SETTING_NOT_FOUND,
  SCAN_SETTING_DISABLED,
  SCAN_ORDER_NOT_FOUND,
  KIND_NOT_ALLOWED,
  ORDER_ALREADY_SUBMITTED,
  ORDER_NOT_SUBMITTED,
  ORDER_EXPIRED,
  ORDER_WITHDRAWN,
  SCAN_TITLE_INVALID,
  SCAN_LINK_INVALID,
  SCAN_LINK_EXPIRED,
  SCAN_TAX_ID_MISMATCH,
  MERCHANT_UNAVAILABLE,
  MERCHANT_ORDER_NOT_FOUND,
  MERCHANT_BAD_ANSWER,
  SCAN_CSRF_FAILED,
  SCAN_LINK_RATE_LIMITED,
  SCAN_BUSINESS_SYSTEM_UNKNOWN,
  SCAN_POSTER_UNAVAILABLE,
} = defineErrors({
  SCAN_SETTING_NOT_FOUND: {
    statusCode: 404,
    message: '动态二维码设置不存在',
    description: 'No dynamic QR setting with that key in this tenant.',
  },
  SCAN_SETTING_DISABLED: {
    statusCode: 409,
    message: '该二维码设置已停用',
    description: 'The setting is disabled: new orders and links are refused.',
  },
  SCAN_ORDER_NOT_FOUND: {
    statusCode: 404,
    message: '扫码订单不存在',
    description: 'No scan order with that orderNo in this tenant.',
  },
  KIND_NOT_ALLOWED: {
    statusCode: 422,
    message: '票种不在该二维码设置允许的范围内',
    description: "The order's invoice kind(s) are not within the setting's allowedKinds (or the consumer's choice).",
  },
  ORDER_ALREADY_SUBMITTED: {
    statusCode: 409,
    message: '消费者已提交抬头，订单不能撤回',
    description: 'Withdraw is only possible while the order is open (not yet submitted).',
  },
  ORDER_NOT_SUBMITTED: {
    statusCode: 409,
    message: '订单尚未提交抬头或已在开票',
    description: 'Issue needs a `title_only` order the consumer has submitted (status submitted or failed).',
  },
  ORDER_EXPIRED: {
    statusCode: 410,
    message: '二维码已过期',
    description: 'The order expired before it was submitted.',
  },
  ORDER_WITHDRAWN: { statusCode: 410, message: '订单已被商家撤回', description: 'The merchant withdrew the order.' },
  SCAN_TITLE_INVALID: {
    statusCode: 422,
    message: '抬头信息有误',
    description: 'The consumer form has invalid fields; `details.fields` maps each field to its message.',
  },
  SCAN_LINK_INVALID: {
    statusCode: 400,
    message: '二维码无效或已被篡改',
    description: 'A `/s` token or `/q` link that does not exist, is malformed, or whose signature does not verify.',
  },
  SCAN_LINK_EXPIRED: {
    statusCode: 410,
    message: '二维码已过期',
    description: "A merchant-signed link older than the setting's validityDays.",
  },
  SCAN_TAX_ID_MISMATCH: {
    statusCode: 422,
    message: '二维码key值对应税号和订单税号不一致，请联系商家提供新的二维码',
    description: "The merchant's order names a seller tax id that is neither the key's nor another org of the tenant.",
  },
  MERCHANT_UNAVAILABLE: {
    statusCode: 502,
    message: '商家系统暂时无法访问，请稍后再试',
    description: "The business system's order-query URL did not answer (after a retry) or is not configured.",
  },
  MERCHANT_ORDER_NOT_FOUND: {
    statusCode: 404,
    message: '商家系统中未找到该订单',
    description: 'The order-query URL answered that the order does not exist.',
  },
  MERCHANT_BAD_ANSWER: {
    statusCode: 502,
    message: '商家系统返回的订单数据有误',
    description: 'The order-query answer does not match the documented schema or fails the tax rules.',
  },
  SCAN_CSRF_FAILED: {
    statusCode: 403,
    message: '页面已失效，请刷新后重新提交',
    description:
      'An H5 form post without a valid server-issued token for that form (no cookie, a forged, expired or another form’s `_csrf`), or whose Origin/Referer is another site or `null`.',
  },
  SCAN_LINK_RATE_LIMITED: {
    statusCode: 429,
    message: '该二维码的开票申请过于频繁，请稍后再试',
    description:
      "A static link submission over one of the setting's `staticLimits` (details.limit, details.limitValue, details.retryAfterSeconds; `Retry-After` header). Nothing was created.",
  },
  SCAN_BUSINESS_SYSTEM_UNKNOWN: {
    statusCode: 422,
    message: '业务编码不存在：请先在业务系统中创建该业务系统',
    description: 'A setting names a `businessSystemCode` the tenant has no business system for.',
  },
  SCAN_POSTER_UNAVAILABLE: {
    statusCode: 409,
    message: '该二维码设置没有默认开票（静态二维码），不能打印台卡：请先设置默认开票内容',
    description:
      'A table-tent poster prints the static link `/q/{key}`, which only a setting with a `preset` (默认开票) has.',
  },
});
