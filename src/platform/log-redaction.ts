import type { FastifyRequest } from 'fastify';
import pino, { type Logger } from 'pino';

/**
 * Logs never carry bearer tokens or link signatures. Everything that writes a URL or a free-text error to the log goes
 * through {@link redactSecrets}: the request log's `req.url`, serialized errors (message and stack) and job errors.
 * A short prefix stays, so a log line can still be matched to a link a user reports.
 */

/** Characters of a token kept for correlation. */
export const KEPT_PREFIX_CHARS = 4;

/** Query parameters whose values are secrets: link signatures (`s`), event codes, and the usual token names. */
export const SECRET_QUERY_PARAMS = [
  's',
  'sig',
  'signature',
  'token',
  'access_token',
  'accessToken',
  'secret',
  'appSecret',
  'password',
  // Assistant event codes (docs/assistant.md): the pages' URLs carry them.
  'eventCode',
] as const;

const SUFFIX = '…';

/**
 * `/s/{token}` (scan order links) and `/d/{token}` (signed download links) path segments, wherever they appear
 * (a request path, or a whole URL inside an error message). At least 6 characters: `/s/` + something shorter is
 * not a token and has nothing to hide.
 */
const LINK_TOKEN_RE = /(\/[sd]\/)([^/?#\s"'<>]{6,})/g;

const SECRET_QUERY_RE = new RegExp(`([?&;](?:${SECRET_QUERY_PARAMS.join('|')})=)([^&;#\\s"'<>]+)`, 'gi');

function keepPrefix(value: string): string {
  return value.length <= KEPT_PREFIX_CHARS ? value : `${value.slice(0, KEPT_PREFIX_CHARS)}${SUFFIX}`;
}

/** A download token `{invoiceId}.{f}{expiry}.{signature}` keeps its invoice id (not a secret); others 4 characters. */
function linkTokenPrefix(prefix: string, token: string): string {
  const dot = token.indexOf('.');
  if (prefix === '/d/' && dot > 0 && dot <= 40) return `${token.slice(0, dot)}.${SUFFIX}`;
  return keepPrefix(token);
}

/**
 * Replaces link tokens and secret query values in a URL or any text by their first {@link KEPT_PREFIX_CHARS}
 * characters and `…`: `/s/3cD9vQ0aZr8LmT2xY/qr.png` → `/s/3cD9…/qr.png`, `/d/{invoiceId}.{f}{expiry}.{signature}` →
 * `/d/{invoiceId}.…`, `?o=POS-1&t=1748743200&s=XF2LeZa_6r0gUQ5z` → `?o=POS-1&t=1748743200&s=XF2L…`. Other text is unchanged.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(LINK_TOKEN_RE, (_m, prefix: string, token: string) => `${prefix}${linkTokenPrefix(prefix, token)}`)
    .replace(SECRET_QUERY_RE, (_m, name: string, value: string) => `${name}${keepPrefix(value)}`);
}

/** The request as the log shows it: no headers (so no `Authorization` or cookies), the URL redacted. */
function serializeRequest(req: FastifyRequest) {
  return {
    method: req.method,
    url: typeof req.url === 'string' ? redactSecrets(req.url) : req.url,
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket ? req.socket.remotePort : undefined,
  };
}

/** pino's error serializer, with message and stack redacted (errors may quote the URL they failed on). */
function serializeError(err: unknown) {
  const out = pino.stdSerializers.err(err as Error) as ReturnType<typeof pino.stdSerializers.err> & {
    message?: unknown;
    stack?: unknown;
  };
  if (!out || typeof out !== 'object') return out;
  if (typeof out.message === 'string') out.message = redactSecrets(out.message);
  if (typeof out.stack === 'string') out.stack = redactSecrets(out.stack);
  return out;
}

/** Serializers for `req` and `err` that redact secrets; Fastify's own `req` serializer is replaced by this one. */
const redactingSerializers = { req: serializeRequest, err: serializeError };

/** A child of `logger` whose `req` and `err` fields are redacted. */
export function withRedaction(logger: Logger): Logger {
  return logger.child({}, { serializers: redactingSerializers });
}
