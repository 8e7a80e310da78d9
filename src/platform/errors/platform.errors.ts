import { defineErrors } from './app-error.js';

export const {
  VALIDATION_FAILED,
  NOT_FOUND,
  INTERNAL,
  INVALID_JSON,
  PAYLOAD_TOO_LARGE,
  UNSUPPORTED_MEDIA_TYPE,
  METHOD_NOT_ALLOWED,
  RATE_LIMITED,
  CONFIG_INVALID,
  SCHEMA_TOO_NEW,
  IDEMPOTENCY_CONFLICT,
  SERVICE_UNAVAILABLE,
  BAD_REQUEST,
} = defineErrors({
  VALIDATION_FAILED: {
    statusCode: 400,
    message: '请求参数校验失败',
    description: 'The request does not match the route schema; `details.errors` lists each failing field path.',
  },
  BAD_REQUEST: {
    statusCode: 400,
    message: '请求无效',
    description: 'The request is malformed in a way no schema catches.',
  },
  INVALID_JSON: {
    statusCode: 400,
    message: '请求体不是有效的 JSON',
    description: 'The body could not be parsed as JSON.',
  },
  NOT_FOUND: {
    statusCode: 404,
    message: '资源不存在',
    description: 'No such route or resource (also for another tenant’s resource).',
  },
  METHOD_NOT_ALLOWED: {
    statusCode: 405,
    message: '不支持该请求方法',
    description: 'The route exists but not with this method.',
  },
  IDEMPOTENCY_CONFLICT: {
    statusCode: 409,
    message: '同一幂等键已用于不同的请求内容',
    description: 'The client key (serialNo, orderNo, …) was used before with a different payload.',
  },
  PAYLOAD_TOO_LARGE: {
    statusCode: 413,
    message: '请求体过大',
    description:
      "The body exceeds the route's limit: BODY_LIMIT_BYTES, 4 MiB for routes with invoice lines, 16 KiB for consumer forms (HTML page there).",
  },
  UNSUPPORTED_MEDIA_TYPE: {
    statusCode: 415,
    message: '不支持的请求内容类型',
    description: 'The Content-Type is not accepted by this route (JSON routes need application/json).',
  },
  RATE_LIMITED: {
    statusCode: 429,
    message: '请求过于频繁，请稍后再试',
    description: 'Too many requests; see the Retry-After header.',
  },
  INTERNAL: {
    statusCode: 500,
    message: '服务器内部错误',
    description: 'An unexpected error; details are logged with the requestId, never returned.',
  },
  SERVICE_UNAVAILABLE: {
    statusCode: 503,
    message: '服务暂不可用',
    description: 'The server is starting, draining or cannot reach its database.',
  },
  CONFIG_INVALID: {
    statusCode: 500,
    message: '配置错误',
    description: 'Boot-time: an environment variable has a bad value (never an HTTP answer).',
  },
  SCHEMA_TOO_NEW: {
    statusCode: 500,
    message: '数据库结构版本高于程序版本',
    description:
      'Boot-time: the database has migrations this code does not know; upgrade the code (never an HTTP answer).',
  },
});
