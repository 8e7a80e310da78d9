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
          bearerAuth: { type: 'http', scheme: 'bearer' },
          sessionCookie: { type: 'apiKey', in: 'cookie', name: 'ofp_session' },
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
