import type { FastifyInstance, FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Deps } from '../../../platform/deps.js';
import { toAppError } from '../../../platform/errors/http-error-handler.js';
import { parseFormBody } from '../../../platform/http/request-text.js';
import { renderErrorPage } from './error-page.js';
import { registerOrderLinkRoutes } from './order-link.routes.js';
import { PAGE_CSP } from './page-script.js';
import { registerScanLinkRoutes } from './scan-link.routes.js';

/** Sends a page with the headers every consumer page carries (no caching: pages show live state). */
export function sendPage(reply: FastifyReply, body: string, status = 200): FastifyReply {
  return reply
    .status(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('content-security-policy', PAGE_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin')
    .send(body);
}

function installHtmlErrors(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => {
    const appErr = toAppError(err);
    if (appErr.statusCode >= 500 && appErr.code !== 'MERCHANT_UNAVAILABLE' && appErr.code !== 'MERCHANT_BAD_ANSWER') {
      request.log.error({ err }, 'consumer page failed');
    }
    if (appErr.headers) void reply.headers(appErr.headers);
    return sendPage(reply, renderErrorPage(appErr.code, request.id), appErr.statusCode);
  });
}

/**
 * The largest form body a consumer page accepts. A filled-in title form is under 2 KB (every field at its limit:
 * about 7 KB of percent-encoded Chinese); anything larger is refused with 413 before it is parsed.
 */
const H5_FORM_BODY_LIMIT = 16 * 1024;

/**
 * The consumer H5 pages (public, no API token): `/s/{token}` for orders, `/q/{key}` for merchant-signed and
 * static links. Server-rendered, work without JavaScript, CSRF-protected form posts, HTML error pages (the JSON
 * endpoints among them, such as `status.json`, answer the JSON error body instead).
 */
export const scanH5Routes: FastifyPluginAsync<{ deps: Deps }> = async (app, { deps }) => {
  // Plain HTML forms post urlencoded bodies; only these routes accept them (the API stays JSON-only). Same text
  // rules as JSON bodies: valid UTF-8 (also inside %-escapes), no control characters.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (_req, body, done) => {
    try {
      done(null, parseFormBody(body as Buffer));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  installHtmlErrors(app);
  // Every consumer form (and any added later in this plugin) gets the small body limit; the API keeps BODY_LIMIT_BYTES.
  // They are HTML pages for people, not API operations: kept out of the OpenAPI document.
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (methods.includes('POST')) route.bodyLimit ??= H5_FORM_BODY_LIMIT;
    route.schema = { ...route.schema, hide: true };
  });
  registerOrderLinkRoutes(app, deps);
  registerScanLinkRoutes(app, deps);
};
