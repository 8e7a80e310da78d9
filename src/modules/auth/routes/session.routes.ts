import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { toIsoCst } from '../../../platform/clock.js';
import type { Deps } from '../../../platform/deps.js';
import { AppError } from '../../../platform/errors/app-error.js';
import { IsoTime, responses } from '../../../platform/http/schemas.js';
import { AUTH_TOKEN_INVALID } from '../auth.errors.js';
import { USER_ROLES } from '../auth.tables.js';
import { auditMetaOf, createAuthHook, getAuth } from '../auth-hook.js';
import type { Caller } from '../caller.js';
import { csrfTokenOf, login, sessionCookie, sessionExpiries } from '../console-sessions.js';
import { PERMISSIONS } from '../permissions.js';
import { changeOwnPassword, endSession, listOwnSessions, revokeOwnSession } from '../session-info.js';

export const Password = Type.String({ minLength: 8, maxLength: 200 });

export const SessionUser = Type.Object({
  id: Type.String(),
  username: Type.String(),
  displayName: Type.String(),
  role: Type.Union(USER_ROLES.map((r) => Type.Literal(r))),
  tenantId: Type.String(),
  tenantName: Type.String(),
  orgTaxIds: Type.Union([Type.Array(Type.String()), Type.Null()], {
    description: 'A clerk’s seller orgs; null = every org of the tenant',
  }),
});

export const SessionInfo = Type.Object({
  user: SessionUser,
  permissions: Type.Array(Type.Union(PERMISSIONS.map((p) => Type.Literal(p)))),
  csrfToken: Type.String({ description: 'Send as X-CSRF-Token on every POST/PUT/PATCH/DELETE' }),
  idleExpiresAt: IsoTime,
  absoluteExpiresAt: IsoTime,
});

export const SessionView = Type.Object({
  id: Type.String(),
  createdAt: IsoTime,
  lastSeenAt: IsoTime,
  userAgent: Type.String(),
  clientAddress: Type.String(),
  current: Type.Boolean(),
});

function sessionInfo(caller: Caller, deps: Deps) {
  const { idleExpiresAt, absoluteExpiresAt } = sessionExpiries(caller, deps.config.auth);
  const s = caller.session;
  if (!s) throw new AppError(AUTH_TOKEN_INVALID);
  return {
    user: {
      id: s.userId,
      username: s.username,
      displayName: s.displayName,
      role: s.role,
      tenantId: caller.tenantId,
      tenantName: caller.tenantName,
      orgTaxIds: caller.orgTaxIds === null ? null : [...caller.orgTaxIds],
    },
    permissions: PERMISSIONS.filter((p) => caller.permissions.has(p)),
    csrfToken: csrfTokenOf(s.token, s.sessionId),
    idleExpiresAt: toIsoCst(idleExpiresAt),
    absoluteExpiresAt: toIsoCst(absoluteExpiresAt),
  };
}

/**
 * Console sessions (docs/console.md#sessions): log in (public), who am I + CSRF token, log out, own sessions, own
 * password. The cookie `ofp_session` is HttpOnly, SameSite=Strict, Secure under an https PUBLIC_URL.
 */
export const sessionRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const ctx = { db: deps.db.kysely, clock: deps.clock, config: deps.config, jobs: deps.jobs };
  const tags = ['session'];

  app.post(
    '/api/v1/session',
    {
      schema: {
        tags,
        summary: '控制台登录 (console login)',
        body: Type.Object(
          {
            username: Type.String({ minLength: 1, maxLength: 100 }),
            password: Type.String({ minLength: 1, maxLength: 200 }),
          },
          { additionalProperties: false },
        ),
        response: responses({ 200: SessionInfo }, [400, 401, 429]),
      },
      config: { permission: 'public' },
    },
    async (request, reply) => {
      const userAgent = request.headers['user-agent'];
      const { token, caller } = await login(ctx, {
        username: request.body.username,
        password: request.body.password,
        userAgent: typeof userAgent === 'string' ? userAgent : '',
        clientAddress: request.ip,
        requestId: request.id,
      });
      void reply.header('set-cookie', sessionCookie(token, deps.config.http.publicUrl));
      return sessionInfo(caller, deps);
    },
  );

  await app.register(async (inner) => {
    const authed = inner.withTypeProvider<TypeBoxTypeProvider>();
    authed.addHook('onRequest', createAuthHook(deps));
    const common = { tags, security: [{ sessionCookie: [] }] };

    authed.get(
      '/api/v1/session',
      {
        schema: { ...common, summary: '当前登录 (current session)', response: responses({ 200: SessionInfo }, [401]) },
        config: { permission: 'signed-in' },
      },
      async (request) => sessionInfo(getAuth(request), deps),
    );

    authed.delete(
      '/api/v1/session',
      {
        schema: { ...common, summary: '退出登录 (log out)', response: responses({ 204: Type.Null() }, [401, 403]) },
        config: { permission: 'signed-in' },
      },
      async (request, reply) => {
        await endSession(ctx, auditMetaOf(request), getAuth(request));
        return reply.status(204).header('set-cookie', sessionCookie(null, deps.config.http.publicUrl)).send();
      },
    );

    authed.get(
      '/api/v1/session/sessions',
      {
        schema: {
          ...common,
          summary: '我的登录会话 (own sessions)',
          response: responses({ 200: Type.Array(SessionView) }, [401]),
        },
        config: { permission: 'signed-in' },
      },
      async (request) =>
        (await listOwnSessions(ctx, getAuth(request))).map((s) => ({
          id: s.id,
          createdAt: toIsoCst(Number(s.created_at)),
          lastSeenAt: toIsoCst(Number(s.last_seen_at)),
          userAgent: s.user_agent,
          clientAddress: s.client_address,
          current: s.current,
        })),
    );

    authed.delete(
      '/api/v1/session/sessions/:id',
      {
        schema: {
          ...common,
          summary: '结束我的某个会话 (revoke one of own sessions)',
          params: Type.Object({ id: Type.String({ maxLength: 100 }) }),
          response: responses({ 204: Type.Null() }, [401, 403, 404]),
        },
        config: { permission: 'signed-in' },
      },
      async (request, reply) => {
        await revokeOwnSession(ctx, auditMetaOf(request), getAuth(request), request.params.id);
        return reply.status(204).send(null);
      },
    );

    authed.post(
      '/api/v1/session/password',
      {
        schema: {
          ...common,
          summary: '修改我的密码 (change own password; other sessions end)',
          body: Type.Object(
            { currentPassword: Type.String({ minLength: 1, maxLength: 200 }), newPassword: Password },
            { additionalProperties: false },
          ),
          response: responses({ 204: Type.Null() }, [400, 401, 403]),
        },
        config: { permission: 'signed-in' },
      },
      async (request, reply) => {
        await changeOwnPassword(ctx, auditMetaOf(request), getAuth(request), request.body);
        return reply.status(204).send(null);
      },
    );
  });
};
