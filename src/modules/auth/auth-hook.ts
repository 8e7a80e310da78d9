import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { Deps } from '../../platform/deps.js';
import { AppError } from '../../platform/errors/app-error.js';
import { type AuthContext, authenticateToken, parseBearer } from './access-tokens.js';
import { AUTH_TOKEN_INVALID } from './auth.errors.js';

const AUTH = Symbol('openfapiao.auth');

declare module 'fastify' {
  interface FastifyRequest {
    [AUTH]: AuthContext | null;
  }
}

/** Decorates requests so the auth hook can attach the caller. Call once at the root. */
export function decorateAuth(app: FastifyInstance): void {
  app.decorateRequest(AUTH, null);
}

/**
 * onRequest hook for authenticated contexts: resolves the bearer token or answers 401 AUTH_TOKEN_INVALID.
 * Register it inside the child plugin that holds the protected routes (Fastify encapsulation).
 */
export function createAuthHook(deps: Pick<Deps, 'db' | 'clock'>): onRequestAsyncHookHandler {
  return async (request) => {
    request[AUTH] = await authenticateToken(
      { db: deps.db.kysely, clock: deps.clock },
      parseBearer(request.headers.authorization),
    );
    request.log = request.log.child({ tenantId: request[AUTH].tenantId });
  };
}

/** The authenticated caller of this request; every tenant-scoped query takes `getAuth(request).tenantId`. */
export function getAuth(request: FastifyRequest): AuthContext {
  const auth = request[AUTH];
  if (!auth) throw new AppError(AUTH_TOKEN_INVALID);
  return auth;
}
