import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { toIsoCst } from '../../../platform/clock.js';
import type { Deps } from '../../../platform/deps.js';
import { AppError } from '../../../platform/errors/app-error.js';
import { RATE_LIMITED } from '../../../platform/errors/platform.errors.js';
import { IsoTime, responses } from '../../../platform/http/schemas.js';
import { sha256Hex } from '../../../platform/ids.js';
import { withAudit } from '../../audit/index.js';
import { issueAccessToken, parseBearer, revokeAccessToken } from '../access-tokens.js';
import { auditMetaOf, createAuthHook, getAuth } from '../auth-hook.js';

export const TokenBody = Type.Object(
  {
    appId: Type.String({ minLength: 1, maxLength: 100 }),
    appSecret: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);

export const TokenReply = Type.Object({
  accessToken: Type.String(),
  tokenType: Type.Literal('Bearer'),
  expiresIn: Type.Integer({ description: 'Seconds until the token expires' }),
});

export const RevokeBody = Type.Object(
  {
    token: Type.Optional(
      Type.String({ maxLength: 300, description: 'Token to revoke; defaults to the calling token' }),
    ),
  },
  { additionalProperties: false },
);

export const MeReply = Type.Object({
  tenantId: Type.String(),
  tenantName: Type.String(),
  appId: Type.String({ description: 'The calling app; for a console user `user:<username>`' }),
  tokenExpiresAt: IsoTime,
});

/** Public token endpoint (rate-limited) and the authenticated revoke / me endpoints. */
export const authRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const ctx = { db: deps.db.kysely, clock: deps.clock, jobs: deps.jobs };

  app.post(
    '/api/v1/auth/token',
    {
      schema: {
        tags: ['auth'],
        summary: '用 appId + appSecret 换取访问令牌 (get an access token)',
        body: TokenBody,
        response: responses({ 200: TokenReply }, [400, 401, 429]),
      },
      config: {
        permission: 'public',
        rateLimit: {
          max: deps.config.auth.tokenRateLimitMax,
          timeWindow: deps.config.auth.tokenRateLimitWindowMs,
          errorResponseBuilder: (_req, context) =>
            new AppError(RATE_LIMITED, undefined, { retryAfterSeconds: Math.ceil(context.ttl / 1000) }),
        },
      },
    },
    async (request) => {
      const { accessToken, expiresIn } = await issueAccessToken(ctx, {
        ...request.body,
        ttlSeconds: deps.config.auth.accessTokenTtlSeconds,
      });
      return { accessToken, tokenType: 'Bearer' as const, expiresIn };
    },
  );

  await app.register(async (authed) => {
    authed.addHook('onRequest', createAuthHook(deps));

    authed.post(
      '/api/v1/auth/revoke',
      {
        schema: {
          tags: ['auth'],
          summary: '吊销访问令牌 (revoke a token)',
          security: [{ bearerAuth: [] }],
          body: Type.Optional(RevokeBody),
          response: responses({ 204: Type.Null() }),
        },
        config: { permission: 'signed-in' },
      },
      async (request, reply) => {
        const auth = getAuth(request);
        const body = request.body as { token?: string } | undefined;
        const token = body?.token ?? parseBearer(request.headers.authorization) ?? '';
        await withAudit(
          ctx,
          auditMetaOf(request),
          (c) => revokeAccessToken(c, { tenantId: auth.tenantId, token }),
          () => ({
            action: 'tokens.revoke',
            target: { type: 'access_token', id: `sha256:${sha256Hex(token).slice(0, 16)}` },
          }),
        );
        return reply.status(204).send();
      },
    );

    authed.get(
      '/api/v1/auth/me',
      {
        schema: {
          tags: ['auth'],
          summary: '当前调用方 (who am I)',
          security: [{ bearerAuth: [] }],
          response: responses({ 200: MeReply }),
        },
        config: { permission: 'signed-in' },
      },
      async (request) => {
        const auth = getAuth(request);
        return {
          tenantId: auth.tenantId,
          tenantName: auth.tenantName,
          appId: auth.app?.appId ?? `user:${auth.actorName}`,
          tokenExpiresAt: toIsoCst(auth.app?.expiresAt ?? auth.session?.absoluteExpiresAt ?? 0),
        };
      },
    );
  });
};
