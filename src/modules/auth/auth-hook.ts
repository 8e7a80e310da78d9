import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { Deps } from '../../platform/deps.js';
import { AppError } from '../../platform/errors/app-error.js';
import type { AuditMeta } from '../audit/index.js';
import { authenticateToken, parseBearer } from './access-tokens.js';
import { AUTH_TOKEN_INVALID, CSRF_TOKEN_INVALID, FORBIDDEN, ORG_NOT_ASSIGNED } from './auth.errors.js';
import type { Caller } from './caller.js';
import { authenticateSession, csrfTokenMatches, parseSessionCookie } from './console-sessions.js';
import { API_APP_PERMISSIONS, type Permission } from './permissions.js';

const AUTH = Symbol('openfapiao.auth');

declare module 'fastify' {
  interface FastifyRequest {
    [AUTH]: Caller | null;
  }
}

/** Decorates requests so the auth hook can attach the caller. Call once at the root. */
export function decorateAuth(app: FastifyInstance): void {
  app.decorateRequest(AUTH, null);
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const API_APP_PERMISSION_SET: ReadonlySet<Permission> = new Set(API_APP_PERMISSIONS);

/** Resolves the caller of a request: a bearer token (API app) or else the console cookie (with CSRF on writes). */
async function resolveCaller(deps: Pick<Deps, 'db' | 'clock' | 'config'>, request: FastifyRequest): Promise<Caller> {
  const ctx = { db: deps.db.kysely, clock: deps.clock, config: deps.config };
  if (request.headers.authorization === undefined) {
    const token = parseSessionCookie(request.headers.cookie);
    if (token !== null) {
      const caller = await authenticateSession(ctx, token);
      const session = caller.session;
      if (!SAFE_METHODS.has(request.method) && session) {
        const header = request.headers['x-csrf-token'];
        if (!csrfTokenMatches(session.token, session.sessionId, typeof header === 'string' ? header : undefined)) {
          throw new AppError(CSRF_TOKEN_INVALID);
        }
      }
      return caller;
    }
  }
  const app = await authenticateToken(ctx, parseBearer(request.headers.authorization));
  return {
    tenantId: app.tenantId,
    tenantName: app.tenantName,
    kind: 'app',
    actorId: app.appId,
    actorName: app.appId,
    permissions: API_APP_PERMISSION_SET,
    orgTaxIds: null,
    app,
    session: null,
  };
}

/**
 * onRequest hook for authenticated contexts: resolves the caller (bearer token, else console cookie; 401
 * AUTH_TOKEN_INVALID), checks the CSRF token of a cookie call that changes state (403 CSRF_TOKEN_INVALID), then the
 * permission the route declares in its config (403 FORBIDDEN naming it). A route that declares nothing is refused:
 * access is never granted by omission. Register it inside the child plugin that holds the protected routes.
 */
export function createAuthHook(deps: Pick<Deps, 'db' | 'clock' | 'config'>): onRequestAsyncHookHandler {
  return async (request) => {
    const caller = await resolveCaller(deps, request);
    request[AUTH] = caller;
    request.log = request.log.child({ tenantId: caller.tenantId });
    const need = request.routeOptions.config.permission;
    if (need === 'signed-in') return;
    if (need === undefined || need === 'public' || !caller.permissions.has(need)) {
      const permission = need ?? 'undeclared';
      throw new AppError(FORBIDDEN, `当前账号无权执行此操作（缺少权限 ${permission}）`, { permission });
    }
  };
}

/** The authenticated caller of this request; every tenant-scoped query takes `getAuth(request).tenantId`. */
export function getAuth(request: FastifyRequest): Caller {
  const auth = request[AUTH];
  if (!auth) throw new AppError(AUTH_TOKEN_INVALID);
  return auth;
}

/**
 * The seller orgs the caller may act for: null = every org of the tenant (API apps, every role but clerk), else
 * the clerk's assigned tax ids. Lists filter by it; writes call {@link assertOrgAllowed}.
 */
export function orgScope(request: FastifyRequest): readonly string[] | null {
  return getAuth(request).orgTaxIds;
}

/** Throws 403 ORG_NOT_ASSIGNED when a clerk acts for a seller org not assigned to them. */
export function assertOrgAllowed(request: FastifyRequest, taxId: string): void {
  const scope = orgScope(request);
  if (scope !== null && !scope.includes(taxId)) {
    throw new AppError(ORG_NOT_ASSIGNED, `销方组织 ${taxId} 未分配给当前用户`, { taxId });
  }
}

/** Who made this request and from where, for the audit entries of the changes it makes. */
export function auditMetaOf(request: FastifyRequest): AuditMeta {
  const caller = getAuth(request);
  return {
    tenantId: caller.tenantId,
    actor: { kind: caller.kind, id: caller.actorId, name: caller.actorName },
    requestId: request.id,
    clientAddress: request.ip,
  };
}
