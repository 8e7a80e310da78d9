import { randomBytes } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import { AppError, type ErrorCode } from '../errors/app-error.js';
import { errorBody } from '../errors/http-error-handler.js';
import { BAD_HTTP_REQUEST, HEADERS_TOO_LARGE, REQUEST_TIMEOUT } from '../errors/platform.errors.js';

/** An in-flight response on the socket (Node's own check before it answers a parser error). */
interface SocketWithResponse extends Socket {
  _httpMessage?: { headersSent?: boolean } | null;
}

function codeOf(err: NodeJS.ErrnoException): ErrorCode {
  if (err.code === 'HPE_HEADER_OVERFLOW') return HEADERS_TOO_LARGE;
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return REQUEST_TIMEOUT;
  return BAD_HTTP_REQUEST;
}

/**
 * Fastify's `clientErrorHandler`: requests Node's HTTP parser refuses (a URL or headers over the size limit, a bad
 * Content-Length, Content-Length with Transfer-Encoding, a malformed chunk, a NUL in a header, a byte outside
 * ASCII in the request line, a timeout) never reach the router. Answer them with our JSON error body, a code of
 * their own and `connection: close` on the raw socket. The log line carries the parser's code only: the raw
 * bytes (`err.rawPacket`) may hold an Authorization header.
 */
export function createClientErrorHandler(logger: FastifyBaseLogger) {
  return (err: NodeJS.ErrnoException, socket: Socket): void => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const appErr = new AppError(codeOf(err));
    const requestId = `req-${randomBytes(6).toString('hex')}`;
    logger.info({ code: appErr.code, parserCode: err.code, requestId }, 'client error before routing');
    const inFlight = (socket as SocketWithResponse)._httpMessage;
    if (!socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const body = JSON.stringify(errorBody(appErr, requestId));
    const head = [
      `HTTP/1.1 ${appErr.statusCode} ${STATUS_CODES[appErr.statusCode] ?? 'Error'}`,
      'content-type: application/json; charset=utf-8',
      `content-length: ${Buffer.byteLength(body)}`,
      `x-request-id: ${requestId}`,
      'connection: close',
    ];
    socket.end(`${head.join('\r\n')}\r\n\r\n${body}`, () => socket.destroy());
  };
}
