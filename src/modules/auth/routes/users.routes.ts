import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { toIsoCst } from '../../../platform/clock.js';
import type { Deps } from '../../../platform/deps.js';
import { IsoTime, responses } from '../../../platform/http/schemas.js';
import { USER_ROLES, type UserRole } from '../auth.tables.js';
import { auditMetaOf, getAuth } from '../auth-hook.js';
import {
  createTenantUser,
  listUserSessions,
  listUsers,
  resetUserPassword,
  revokeUserSessions,
  updateTenantUser,
  type userView,
} from '../users.js';
import { Password } from './session.routes.js';

const Role = Type.Unsafe<UserRole>(Type.String({ enum: [...USER_ROLES], description: USER_ROLES.join(' | ') }));
const OrgTaxIds = Type.Union(
  [Type.Array(Type.String({ minLength: 15, maxLength: 20 }), { maxItems: 200 }), Type.Null()],
  {
    description: 'Seller orgs (tax ids) a clerk works for; null = every org',
  },
);

export const UserView = Type.Object({
  id: Type.String(),
  username: Type.String(),
  displayName: Type.String(),
  role: Role,
  orgTaxIds: Type.Union([Type.Array(Type.String()), Type.Null()]),
  disabled: Type.Boolean(),
  createdAt: IsoTime,
  updatedAt: IsoTime,
});

const UserSessionView = Type.Object({
  id: Type.String(),
  createdAt: IsoTime,
  lastSeenAt: IsoTime,
  userAgent: Type.String(),
  clientAddress: Type.String(),
});

function toUserView(user: ReturnType<typeof userView>) {
  return { ...user, createdAt: toIsoCst(user.createdAt), updatedAt: toIsoCst(user.updatedAt) };
}

/** Console users of the caller's tenant (users.manage): list, create, change, disable, reset a password. */
export const usersRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const ctx = { db: deps.db.kysely, clock: deps.clock, jobs: deps.jobs, config: deps.config };
  const security: { [k: string]: string[] }[] = [{ sessionCookie: [] }, { bearerAuth: [] }];
  const common = { tags: ['users'], security };
  const Params = Type.Object({ id: Type.String({ maxLength: 100 }) });

  app.get(
    '/api/v1/users',
    {
      config: { permission: 'users.manage' },
      schema: {
        ...common,
        summary: '用户列表 (console users)',
        response: responses({ 200: Type.Object({ items: Type.Array(UserView) }) }, [401, 403]),
      },
    },
    async (request) => ({ items: (await listUsers(ctx, getAuth(request).tenantId)).map(toUserView) }),
  );

  app.post(
    '/api/v1/users',
    {
      config: { permission: 'users.manage' },
      schema: {
        ...common,
        summary: '创建用户 (create a console user)',
        body: Type.Object(
          {
            username: Type.String({ minLength: 2, maxLength: 60, pattern: '^[A-Za-z0-9][A-Za-z0-9._@-]*$' }),
            displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            role: Role,
            orgTaxIds: Type.Optional(OrgTaxIds),
            password: Password,
          },
          { additionalProperties: false },
        ),
        response: responses({ 201: UserView }, [400, 401, 403, 409]),
      },
    },
    async (request, reply) => {
      const user = await createTenantUser(ctx, auditMetaOf(request), request.body);
      return reply.status(201).send(toUserView(user));
    },
  );

  app.patch(
    '/api/v1/users/:id',
    {
      config: { permission: 'users.manage' },
      schema: {
        ...common,
        summary: '修改用户 (change role, orgs, name; disable)',
        params: Params,
        body: Type.Object(
          {
            displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            role: Type.Optional(Role),
            orgTaxIds: Type.Optional(OrgTaxIds),
            disabled: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: responses({ 200: UserView }, [400, 401, 403, 404]),
      },
    },
    async (request) => toUserView(await updateTenantUser(ctx, auditMetaOf(request), request.params.id, request.body)),
  );

  app.post(
    '/api/v1/users/:id/password',
    {
      config: { permission: 'users.manage' },
      schema: {
        ...common,
        summary: '重置用户密码 (admin reset; the user’s sessions end)',
        params: Params,
        body: Type.Object({ newPassword: Password }, { additionalProperties: false }),
        response: responses({ 204: Type.Null() }, [400, 401, 403, 404]),
      },
    },
    async (request, reply) => {
      await resetUserPassword(ctx, auditMetaOf(request), request.params.id, request.body.newPassword);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/users/:id/sessions',
    {
      config: { permission: 'users.manage' },
      schema: {
        ...common,
        summary: '用户的登录会话 (a user’s live console sessions)',
        params: Params,
        response: responses({ 200: Type.Object({ items: Type.Array(UserSessionView) }) }, [401, 403, 404]),
      },
    },
    async (request) => ({
      items: (await listUserSessions(ctx, getAuth(request).tenantId, request.params.id)).map((s) => ({
        id: s.id,
        createdAt: toIsoCst(Number(s.created_at)),
        lastSeenAt: toIsoCst(Number(s.last_seen_at)),
        userAgent: s.user_agent,
        clientAddress: s.client_address,
      })),
    }),
  );

  app.delete(
    '/api/v1/users/:id/sessions',
    {
      config: { permission: 'users.manage' },
      schema: {
        ...common,
        summary: '结束用户的全部会话 (end every session of a user)',
        params: Params,
        response: responses({ 200: Type.Object({ ended: Type.Integer() }) }, [401, 403, 404]),
      },
    },
    async (request) => ({ ended: await revokeUserSessions(ctx, auditMetaOf(request), request.params.id, null) }),
  );

  app.delete(
    '/api/v1/users/:id/sessions/:sessionId',
    {
      config: { permission: 'users.manage' },
      schema: {
        ...common,
        summary: '结束用户的某个会话 (end one session of a user)',
        params: Type.Object({ id: Type.String({ maxLength: 100 }), sessionId: Type.String({ maxLength: 100 }) }),
        response: responses({ 204: Type.Null() }, [401, 403, 404]),
      },
    },
    async (request, reply) => {
      await revokeUserSessions(ctx, auditMetaOf(request), request.params.id, request.params.sessionId);
      return reply.status(204).send(null);
    },
  );
};
