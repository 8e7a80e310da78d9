import type { ServerOptions } from 'node:http';
import type { Config } from '../config/load-config.js';

/**
 * Fastify/Node server options that bound how long a client may hold a connection without doing its part:
 *
 * - `http.headersTimeout`: complete headers within HTTP_HEADERS_TIMEOUT_MS of connecting (slow-header clients);
 * - `requestTimeout`: the whole request, body included, within HTTP_REQUEST_TIMEOUT_MS (slow-body clients);
 * - `keepAliveTimeout`: an idle keep-alive connection closes after HTTP_KEEP_ALIVE_TIMEOUT_MS;
 * - `connectionTimeout`: a socket with no traffic either way for HTTP_CONNECTION_TIMEOUT_MS is destroyed (e.g. a
 *   client that stops reading its response).
 *
 * Node enforces the first two from a periodic sweep (`connectionsCheckingInterval`, 30 s by default, which would let a
 * slow client keep its socket up to 30 s longer); the sweep runs at a quarter of the headers timeout, at most once a
 * second, so a timeout fires within 25 % of its value. Fastify answers a timed-out request with 408 and closes.
 */
export function serverTimeoutOptions(config: Config): {
  connectionTimeout: number;
  keepAliveTimeout: number;
  requestTimeout: number;
  http: ServerOptions;
} {
  const t = config.server;
  return {
    connectionTimeout: t.connectionTimeoutMs,
    keepAliveTimeout: t.keepAliveTimeoutMs,
    requestTimeout: t.requestTimeoutMs,
    http: {
      // requestTimeout and keepAliveTimeout: Fastify sets them on the server from the top-level options above.
      headersTimeout: t.headersTimeoutMs,
      connectionsCheckingInterval: Math.max(25, Math.min(1000, Math.floor(t.headersTimeoutMs / 4))),
    },
  };
}
