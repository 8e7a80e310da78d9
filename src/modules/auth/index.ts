/** The auth module's front door: tenants, users, API apps, access tokens, and the HTTP auth hook. */
export {
  type AuthContext,
  authenticateToken,
  issueAccessToken,
  purgeExpiredTokens,
  revokeAccessToken,
} from './access-tokens.js';
export { type ApiApp, type Tenant, USER_ROLES, type UserRole } from './auth.tables.js';
export { createAuthHook, decorateAuth, getAuth } from './auth-hook.js';
export { hashPassword, verifyPassword } from './passwords.js';
export { appsRoutes } from './routes/apps.routes.js';
export { authRoutes } from './routes/auth.routes.js';
export { createApiApp, createTenant, createUser, getTenant, listApiApps, rotateAppSecret } from './tenants.js';
