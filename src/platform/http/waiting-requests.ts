import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';

/** Beyond its `wait`, a waiting request's connection may stay silent this long (reading and writing the answer). */
const WAIT_GRACE_MS = 5000;

/** True when the route's querystring schema takes `wait` (seconds to wait: invoices, scan orders, the push poll...). */
function takesWait(route: Pick<RouteOptions, 'schema'>): boolean {
  const qs = route.schema?.querystring as { properties?: Record<string, unknown> } | undefined;
  return qs?.properties?.wait !== undefined;
}

/**
 * A request that waits `seconds` sends nothing meanwhile: its connection's idle timeout (HTTP_CONNECTION_TIMEOUT_MS,
 * the socket's timeout) must not cut it, whatever it is configured to. Lengthens the socket's timeout to the wait
 * plus {@link WAIT_GRACE_MS} when it is shorter, and gives the configured one back once the answer is written (unless
 * Node set another meanwhile: the keep-alive timeout of an idle connection).
 */
function holdConnectionForWait(request: FastifyRequest, reply: FastifyReply, seconds: number): void {
  const socket = request.raw.socket;
  const waitMs = seconds * 1000;
  const configured = socket.timeout;
  if (!(waitMs > 0) || configured === undefined || configured <= 0 || configured >= waitMs + WAIT_GRACE_MS) return;
  const held = waitMs + WAIT_GRACE_MS;
  socket.setTimeout(held);
  reply.raw.once('close', () => {
    if (!socket.destroyed && socket.timeout === held) socket.setTimeout(configured);
  });
}

/**
 * Every route whose querystring takes `wait` holds its connection for the wait ({@link holdConnectionForWait}) before
 * its own pre-handlers run. Install on the root app before any route is registered (onRoute hooks see only the routes
 * registered after them; child plugins inherit it).
 */
export function installWaitingRequests(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (!takesWait(route)) return;
    const hold = async (request: FastifyRequest, reply: FastifyReply) => {
      const wait = (request.query as { wait?: unknown } | undefined)?.wait;
      if (typeof wait === 'number') holdConnectionForWait(request, reply, wait);
    };
    const existing = route.preHandler;
    route.preHandler = existing === undefined ? [hold] : [hold, ...(Array.isArray(existing) ? existing : [existing])];
  });
}
