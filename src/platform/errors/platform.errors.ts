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
  BAD_HTTP_REQUEST,
  HEADERS_TOO_LARGE,
  REQUEST_TIMEOUT,
  INVALID_ENCODING,
  METRICS_TOKEN_INVALID,
} = defineErrors({
  VALIDATION_FAILED: {
    statusCode: 400,
    message: '请求参数校验失败',
    description:
      'The request does not match the route schema, or a string in it holds a control character; `details.errors` lists each failing field path.',
  },
  BAD_REQUEST: {
    statusCode: 400,
    message: '请求无效',
    description:
      'The request is malformed in a way no schema catches (a malformed or non-UTF-8 %-escape in the path, a too long path parameter).',
  },
  BAD_HTTP_REQUEST: {
    statusCode: 400,
    message: '请求不符合 HTTP 协议',
    description:
      'The HTTP parser refused the request before routing (a negative or doubled Content-Length, Content-Length with Transfer-Encoding, a malformed chunk, a control character in a header, a byte outside ASCII in the request line); the connection is closed.',
  },
  INVALID_ENCODING: {
    statusCode: 400,
    message: '请求内容不是有效的 UTF-8 编码',
    description: 'A JSON or form body, or a percent-encoded form value, is not valid UTF-8; nothing is stored.',
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
  REQUEST_TIMEOUT: {
    statusCode: 408,
    message: '请求超时',
    description: 'The client did not send the whole request in time; the connection is closed.',
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
  HEADERS_TOO_LARGE: {
    statusCode: 431,
    message: '请求头过大',
    description:
      'The request line and headers together exceed the server limit (16 KB; a very long URL counts); the connection is closed.',
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
  METRICS_TOKEN_INVALID: {
    statusCode: 401,
    message: '访问监控指标需要有效的令牌',
    description:
      '`GET /metrics` without `Authorization: Bearer <METRICS_TOKEN>` (or with another token) while METRICS_TOKEN is set.',
  },
});
