import type { AuthContext } from './access-tokens.js';
import type { UserRole } from './auth.tables.js';
import type { Permission } from './permissions.js';

/** A console user's live session, as the auth hook resolved it from the cookie. */
export interface SessionContext {
  readonly sessionId: string;
  /** The cookie's token (never stored or logged): the key of the session's CSRF token. */
  readonly token: string;
  readonly userId: string;
  readonly username: string;
  readonly displayName: string;
  readonly role: UserRole;
  readonly createdAt: number;
  readonly lastSeenAt: number;
  readonly absoluteExpiresAt: number;
}

/**
 * Who is calling, whichever way they authenticated: an API app (bearer token) or a console user (session cookie).
 * Every tenant-scoped query takes `tenantId`; `permissions` decide the route (permissions.ts); `orgTaxIds` limits a
 * clerk to their seller orgs (null = every org of the tenant).
 */
export interface Caller {
  readonly tenantId: string;
  readonly tenantName: string;
  readonly kind: 'app' | 'user';
  /** The app's appId, or the user's id. */
  readonly actorId: string;
  /** The app's appId, or the username: what the audit log shows. */
  readonly actorName: string;
  readonly permissions: ReadonlySet<Permission>;
  readonly orgTaxIds: readonly string[] | null;
  /** The bearer token's context (API apps). */
  readonly app: AuthContext | null;
  /** The session (console users). */
  readonly session: SessionContext | null;
}
