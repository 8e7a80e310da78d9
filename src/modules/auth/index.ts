/** The auth module's front door: tenants, users, API apps, access tokens, and the HTTP auth hook. */
export {
  type AuthContext,
  authenticateToken,
  issueAccessToken,
  parseBearer,
  purgeExpiredTokens,
  revokeAccessToken,
} from './access-tokens.js';
export { actorDisplayNames, actorIdsNamed, actorNameOf } from './actor-names.repo.js';
export { type ApiApp, type Tenant, USER_ROLES, type UserRole } from './auth.tables.js';
export { assertOrgAllowed, auditMetaOf, createAuthHook, decorateAuth, getAuth, orgScope } from './auth-hook.js';
export type { Caller } from './caller.js';
export { hashPassword, verifyPassword } from './passwords.js';
export {
  API_APP_PERMISSIONS,
  PERMISSIONS,
  type Permission,
  ROLE_PERMISSIONS,
  type RouteAccess,
} from './permissions.js';
export { appsRoutes } from './routes/apps.routes.js';
export { authRoutes } from './routes/auth.routes.js';
export { sessionRoutes } from './routes/session.routes.js';
export { usersRoutes } from './routes/users.routes.js';
export { createApiApp, createTenant, createUser, getTenant, listApiApps, rotateAppSecret } from './tenants.js';
export {
  createTenantUser,
  findUserByName,
  isActiveUser,
  listAllUsers,
  listUsers,
  resetUserPassword,
  updateTenantUser,
} from './users.js';
