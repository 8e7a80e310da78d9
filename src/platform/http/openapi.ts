import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/load-config.js';
import { ErrorResponse } from './schemas.js';

/**
 * Registers the shared schemas and the OpenAPI document at /api/openapi.json, with browsable docs at /api/docs unless
 * API_DOCS=off (the document stays: integrators generate clients from it, and it describes only the public API).
 */
export async function registerOpenApi(app: FastifyInstance, config: Config): Promise<void> {
  app.addSchema(ErrorResponse);
  // Before swagger's own onRoute: the document reads the security this hook writes.
  app.addHook('onRoute', (route) => {
    const permission = (route.config as { permission?: string } | undefined)?.permission;
    if (!route.url.startsWith('/api/v1/') || permission === undefined || permission === 'public') return;
    if (route.schema?.hide) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    route.schema = { ...route.schema, security: routeSecurity(route.schema?.security, methods) };
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'OpenFapiao API',
        version: '1',
        description:
          '开源发票云 API。Obtain a token with `POST /api/v1/auth/token`, then send `Authorization: Bearer <accessToken>`. ' +
          'Amounts are decimal strings; errors are `{"error":{"code","message","details?","requestId"}}`.',
      },
      servers: [{ url: config.http.publicUrl }],
      components: {
        // Every /api/v1 route accepts either: API apps send the bearer token, the console its session cookie (and
        // X-CSRF-Token on writes), docs/console.md#sessions.
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            description: 'API apps: the access token of `POST /api/v1/auth/token`.',
          },
          sessionCookie: {
            type: 'apiKey',
            in: 'cookie',
            name: 'ofp_session',
            description: 'Console users: the session cookie set by `POST /api/v1/session` (HttpOnly, SameSite=Strict).',
          },
          csrfToken: {
            type: 'apiKey',
            in: 'header',
            name: 'X-CSRF-Token',
            description:
              'With the session cookie, every POST/PUT/PATCH/DELETE also sends the `csrfToken` of the session ' +
              '(`GET /api/v1/session`); bearer calls do not need it.',
          },
        },
      },
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => (json.$id as string | undefined) ?? `def-${i}` },
  });
  if (config.ops.apiDocs) {
    await app.register(swaggerUi, { routePrefix: '/api/docs', uiConfig: { docExpansion: 'list', deepLinking: true } });
  }
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}

type Security = { [scheme: string]: string[] }[];

/**
 * What a signed-in `/api/v1` route accepts, for the document: the bearer token of an API app or the console's session
 * cookie — with the CSRF header on writes. A route that names only the cookie (the session routes) keeps only it.
 */
export function routeSecurity(declared: unknown, methods: readonly string[]): Security {
  const names = new Set(Array.isArray(declared) ? (declared as Security).flatMap((s) => Object.keys(s)) : []);
  const write = methods.some((m) => !['GET', 'HEAD', 'OPTIONS'].includes(m.toUpperCase()));
  const cookie: { [scheme: string]: string[] } = write ? { sessionCookie: [], csrfToken: [] } : { sessionCookie: [] };
  if (names.size > 0 && !names.has('bearerAuth')) return [cookie];
  return [{ bearerAuth: [] }, cookie];
}
