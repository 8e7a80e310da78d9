import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { trackRouteMethods } from '../http/allowed-methods.js';
import { AppError, type ErrorCode, isAppError } from './app-error.js';
import {
  BAD_HTTP_REQUEST,
  BAD_REQUEST,
  INTERNAL,
  INVALID_JSON,
  METHOD_NOT_ALLOWED,
  NOT_FOUND,
  PAYLOAD_TOO_LARGE,
  RATE_LIMITED,
  UNSUPPORTED_MEDIA_TYPE,
  VALIDATION_FAILED,
} from './platform.errors.js';

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown>; requestId: string };
}

/** Fastify's own errors that are the client's fault, mapped onto our codes. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: INVALID_JSON,
  FST_ERR_CTP_EMPTY_JSON_BODY: INVALID_JSON,
  FST_ERR_CTP_BODY_TOO_LARGE: PAYLOAD_TOO_LARGE,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: UNSUPPORTED_MEDIA_TYPE,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: BAD_HTTP_REQUEST,
  FST_ERR_NOT_FOUND: NOT_FOUND,
  FST_ERR_BAD_URL: BAD_REQUEST,
  FST_ERR_MAX_PARAM_LENGTH: BAD_REQUEST,
};

/**
 * PostgreSQL refusing text: a NUL character in a parameter or string (22021 invalid byte sequence, 22P05 unsupported
 * Unicode escape in JSON). Client text never gets here any more (request-text.ts refuses control characters in
 * bodies, querystrings and path parameters before any handler runs); kept as a safety net so such text from
 * elsewhere (a merchant's order answer, say) is still a 400, not a 5xx.
 */
const PG_CLIENT_TEXT_CODES = new Set(['22021', '22P05']);

interface ValidationIssue {
  instancePath?: string;
  message?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

/** Turns ajv issues into `{path, message}` with a JSON pointer that names the request part (`/body/lines/0/amount`). */
function toFieldErrors(context: string | undefined, issues: ValidationIssue[]) {
  return issues.map((issue) => {
    let path = `/${context ?? 'body'}${issue.instancePath ?? ''}`;
    if (issue.keyword === 'required' && typeof issue.params?.missingProperty === 'string') {
      path += `/${issue.params.missingProperty}`;
    }
    if (issue.keyword === 'additionalProperties' && typeof issue.params?.additionalProperty === 'string') {
      path += `/${issue.params.additionalProperty}`;
    }
    return { path, message: issue.message ?? 'invalid' };
  });
}

/** Normalises any thrown value into an AppError; unknown errors become INTERNAL (their text is never sent). */
export function toAppError(err: unknown): AppError {
  if (isAppError(err)) return err;
  const fe = err as FastifyError & { validation?: ValidationIssue[]; validationContext?: string };
  if (fe && Array.isArray(fe.validation)) {
    return new AppError(VALIDATION_FAILED, undefined, { errors: toFieldErrors(fe.validationContext, fe.validation) });
  }
  const mapped = fe?.code ? FASTIFY_CODES[fe.code] : undefined;
  if (mapped) return new AppError(mapped);
  if (fe?.code && PG_CLIENT_TEXT_CODES.has(fe.code)) return new AppError(BAD_REQUEST, '请求包含不允许的字符');
  if (fe?.statusCode === 429) return new AppError(RATE_LIMITED);
  if (fe?.statusCode === 405) return new AppError(METHOD_NOT_ALLOWED);
  return new AppError(INTERNAL, undefined, undefined, { cause: err });
}

export function errorBody(err: AppError, requestId: string): ErrorBody {
  return {
    error: {
      code: err.code,
      message: err.message,
      ...(err.details === undefined ? {} : { details: err.details }),
      requestId,
    },
  };
}

/**
 * Fastify's `frameworkErrors` option: errors raised before routing (a malformed percent-encoding in the URL, a too
 * long path parameter) answer with our JSON error body instead of Fastify's own.
 */
export function frameworkErrorHandler(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const appErr = toAppError(err);
  if (appErr.code === INTERNAL.code) request.log.error({ err }, 'unhandled framework error');
  void reply.status(appErr.statusCode).type('application/json; charset=utf-8').send(errorBody(appErr, request.id));
}

/** Sends `err` as the JSON error body (logged by severity); the root handler, and routes that answer JSON elsewhere. */
export function sendJsonError(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const appErr = toAppError(err);
  if (appErr.code === INTERNAL.code) {
    request.log.error({ err }, 'unhandled error');
  } else if (appErr.statusCode >= 500) {
    request.log.error({ err: appErr }, appErr.message);
  } else {
    request.log.info({ code: appErr.code }, 'client error');
  }
  if (appErr.headers) void reply.headers(appErr.headers);
  const fe = err as FastifyError & { headers?: Record<string, string> };
  if (appErr.code === RATE_LIMITED.code && fe?.headers) void reply.headers(fe.headers);
  return reply.status(appErr.statusCode).type('application/json; charset=utf-8').send(errorBody(appErr, request.id));
}

/**
 * Installs the one error handler and the handler for requests no route matches: 404 `NOT_FOUND` for an unknown
 * path, 405 `METHOD_NOT_ALLOWED` with `Allow` for a known path and another method (`OPTIONS` answers 204 with
 * `Allow`). Call before any route is registered.
 */
export function installErrorHandlers(app: FastifyInstance): void {
  const allowedMethods = trackRouteMethods(app);
  app.setErrorHandler(sendJsonError);
  app.setNotFoundHandler((request, reply) => {
    const allowed = allowedMethods(request.url);
    if (allowed.length === 0) return sendJsonError(new AppError(NOT_FOUND), request, reply);
    void reply.header('allow', allowed.join(', '));
    if (request.method === 'OPTIONS') return reply.status(204).send();
    return sendJsonError(new AppError(METHOD_NOT_ALLOWED), request, reply);
  });
}
