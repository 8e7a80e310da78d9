import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { toIsoCst } from '../../../platform/clock.js';
import type { Deps } from '../../../platform/deps.js';
import { IsoTime, responses } from '../../../platform/http/schemas.js';
import { auditSnapshot, REDACTED, withAudit } from '../../audit/index.js';
import type { ApiApp } from '../auth.tables.js';
import { auditMetaOf, getAuth } from '../auth-hook.js';
import { createApiApp, listApiApps, rotateAppSecret } from '../tenants.js';

export const AppView = Type.Object({
  appId: Type.String(),
  name: Type.String(),
  disabled: Type.Boolean(),
  createdAt: IsoTime,
  rotatedAt: Type.Union([IsoTime, Type.Null()]),
  previousSecretExpiresAt: Type.Union([IsoTime, Type.Null()]),
});

export const AppWithSecret = Type.Object({
  app: AppView,
  appSecret: Type.String({ description: '只显示一次 (shown once; store it now)' }),
});

export function toAppView(app: ApiApp) {
  return {
    appId: app.app_id,
    name: app.name,
    disabled: app.disabled === 1,
    createdAt: toIsoCst(app.created_at),
    rotatedAt: app.rotated_at === null ? null : toIsoCst(app.rotated_at),
    previousSecretExpiresAt: app.previous_secret_expires_at === null ? null : toIsoCst(app.previous_secret_expires_at),
  };
}

/** API apps of the caller's tenant: list, create (secret shown once), rotate the secret with an overlap window. */
export const appsRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const ctx = { db: deps.db.kysely, clock: deps.clock, jobs: deps.jobs };
  const common = { tags: ['apps'], security: [{ bearerAuth: [] }] };

  app.get(
    '/api/v1/apps',
    {
      config: { permission: 'integrations.read' },
      schema: {
        ...common,
        summary: '应用列表 (list API apps)',
        response: responses({ 200: Type.Object({ items: Type.Array(AppView) }) }),
      },
    },
    async (request) => ({ items: (await listApiApps(ctx, getAuth(request).tenantId)).map(toAppView) }),
  );

  app.post(
    '/api/v1/apps',
    {
      config: { permission: 'integrations.manage' },
      schema: {
        ...common,
        summary: '创建应用 (create an API app)',
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }),
        response: responses({ 201: AppWithSecret }),
      },
    },
    async (request, reply) => {
      const created = await withAudit(
        ctx,
        auditMetaOf(request),
        (c) => createApiApp(c, { tenantId: getAuth(request).tenantId, name: request.body.name }),
        (r) => ({ action: 'apps.create', target: { type: 'app', id: r.app.app_id }, after: auditSnapshot(r.app) }),
      );
      return reply.status(201).send({ app: toAppView(created.app), appSecret: created.appSecret });
    },
  );

  app.post(
    '/api/v1/apps/:appId/rotate-secret',
    {
      config: { permission: 'integrations.manage' },
      schema: {
        ...common,
        summary: '轮换应用密钥 (rotate the secret)',
        params: Type.Object({ appId: Type.String({ maxLength: 100 }) }),
        body: Type.Optional(
          Type.Object(
            {
              overlapSeconds: Type.Optional(
                Type.Integer({
                  minimum: 0,
                  maximum: 7 * 86400,
                  default: 3600,
                  description: 'How long the old secret keeps working',
                }),
              ),
            },
            { additionalProperties: false },
          ),
        ),
        response: responses({ 200: AppWithSecret }),
      },
    },
    async (request) => {
      const rotated = await withAudit(
        ctx,
        auditMetaOf(request),
        (c) =>
          rotateAppSecret(c, {
            tenantId: getAuth(request).tenantId,
            appId: request.params.appId,
            overlapSeconds: request.body?.overlapSeconds ?? 3600,
          }),
        (r) => ({
          action: 'apps.rotate_secret',
          target: { type: 'app', id: r.app.app_id },
          diff: { secret_hash: { from: REDACTED, to: REDACTED } },
        }),
      );
      return { app: toAppView(rotated.app), appSecret: rotated.appSecret };
    },
  );
};
