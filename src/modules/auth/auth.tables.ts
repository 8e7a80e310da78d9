import type { Selectable } from 'kysely';
import type { DbBool } from '../../platform/db/database.js';

/** 管理员, 财务, 开票员, 审计, 员工: what each may do is the matrix in permissions.ts (docs/console.md). */
export const USER_ROLES = ['admin', 'finance', 'clerk', 'auditor', 'employee'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export interface TenantTable {
  id: string;
  name: string;
  is_demo: DbBool;
  created_at: number;
}

export interface UserTable {
  id: string;
  tenant_id: string;
  /** Login name, unique across the installation. */
  username: string;
  display_name: string;
  role: UserRole;
  /** scrypt hash, see passwords.ts. */
  password_hash: string;
  disabled: DbBool;
  created_at: number;
  updated_at: number;
  /** JSON array of the seller tax ids a clerk works for (usersOrgTaxIdsJson); null = every org of the tenant. */
  org_tax_ids: string | null;
}

/** A console login: the cookie holds the token, the table only its SHA-256. */
export interface ConsoleSessionTable {
  id: string;
  tenant_id: string;
  user_id: string;
  token_hash: string;
  created_at: number;
  /** Moved forward at most once a minute (no write per request); the idle timeout counts from it. */
  last_seen_at: number;
  absolute_expires_at: number;
  revoked_at: number | null;
  user_agent: string;
  client_address: string;
}

/** Failed console logins of one key (`user:<username>` or `addr:<client address>`) within the current window. */
export interface LoginAttemptTable {
  attempt_key: string;
  failures: number;
  /** The limit that applied when the row was last counted (per kind of key). */
  max_failures: number;
  window_start: number;
  locked_until: number | null;
}

export interface ApiAppTable {
  id: string;
  tenant_id: string;
  /** Public identifier the client sends with its secret. */
  app_id: string;
  name: string;
  /** SHA-256 of the secret; the secret itself is shown once and never stored. */
  secret_hash: string;
  /** After a rotation the previous secret keeps working until previous_secret_expires_at. */
  previous_secret_hash: string | null;
  previous_secret_expires_at: number | null;
  disabled: DbBool;
  created_at: number;
  rotated_at: number | null;
}

export interface AccessTokenTable {
  id: string;
  tenant_id: string;
  app_pk: string;
  /** SHA-256 of the bearer token. */
  token_hash: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
}

export type Tenant = Selectable<TenantTable>;
export type User = Selectable<UserTable>;
export type ApiApp = Selectable<ApiAppTable>;
export type ConsoleSession = Selectable<ConsoleSessionTable>;

export interface AuthTables {
  tenants: TenantTable;
  users: UserTable;
  api_apps: ApiAppTable;
  access_tokens: AccessTokenTable;
  console_sessions: ConsoleSessionTable;
  login_attempts: LoginAttemptTable;
}
