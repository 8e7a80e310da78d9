import type { Selectable } from 'kysely';
import type { DbBool } from '../../platform/db/database.js';

export const USER_ROLES = ['admin', 'finance', 'clerk'] as const;
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

export interface AuthTables {
  tenants: TenantTable;
  users: UserTable;
  api_apps: ApiAppTable;
  access_tokens: AccessTokenTable;
}
