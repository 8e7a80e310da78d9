import { defineErrors } from '../../platform/errors/app-error.js';

/** Error codes of business systems and the SSRF guard. */
export const {
  BUSINESS_SYSTEM_NOT_FOUND,
  BUSINESS_SYSTEM_EXISTS,
  BUSINESS_SYSTEM_FRAME_ANCESTORS_INVALID,
  OUTBOUND_URL_FORBIDDEN,
} = defineErrors({
  BUSINESS_SYSTEM_NOT_FOUND: {
    statusCode: 404,
    message: '业务系统不存在',
    description: 'No business system with that code in this tenant.',
  },
  BUSINESS_SYSTEM_EXISTS: {
    statusCode: 409,
    message: '该编码的业务系统已存在',
    description: 'The tenant already has a business system with that code.',
  },
  BUSINESS_SYSTEM_FRAME_ANCESTORS_INVALID: {
    statusCode: 422,
    message: "可嵌入来源无效：应为 https://域名[:端口]、http://localhost[:端口] 或 'self'，最多 10 个",
    description:
      "A `frameAncestors` source is not `https://host[:port]`, `http://localhost|127.0.0.1|[::1][:port]` or `'self'`, or there are more than 10 (details.source).",
  },
  OUTBOUND_URL_FORBIDDEN: {
    statusCode: 422,
    message: '回调地址不可用：必须是 http(s) 地址，且不能指向内网、本机、链路本地或云元数据地址',
    description:
      'A callback or order-query URL is malformed, does not resolve, or resolves to a loopback, private, link-local, CGNAT, multicast or metadata address and its host is not in OUTBOUND_ALLOWED_HOSTS (details.reason, details.field).',
  },
});
