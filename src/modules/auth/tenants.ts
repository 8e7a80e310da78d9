import type { Ctx } from '../../platform/deps.js';
import { AppError } from '../../platform/errors/app-error.js';
import { newId, randomToken, sha256Hex } from '../../platform/ids.js';
import { APP_NOT_FOUND, TENANT_NOT_FOUND, USERNAME_TAKEN } from './auth.errors.js';
import {
  findApiAppOfTenant,
  findApiAppsOfTenant,
  findTenantById,
  findUserIdByUsername,
  insertApiApp,
  insertTenant,
  insertUser,
  updateApiApp,
} from './auth.repo.js';
import type { ApiApp, Tenant, User, UserRole } from './auth.tables.js';
import { hashPassword } from './passwords.js';
import { userOrgTaxIdsJson } from './stored-json.js';

/** Creates a tenant (a customer of the installation). */
export async function createTenant({ db, clock }: Ctx, input: { name: string; isDemo?: boolean }): Promise<Tenant> {
  const tenant: Tenant = {
    id: newId('tnt', clock.now()),
    name: input.name,
    is_demo: input.isDemo ? 1 : 0,
    created_at: clock.now(),
  };
  await insertTenant(db, tenant);
  return tenant;
}

export async function getTenant({ db }: Pick<Ctx, 'db'>, tenantId: string): Promise<Tenant> {
  const tenant = await findTenantById(db, tenantId);
  if (!tenant) throw new AppError(TENANT_NOT_FOUND, `租户 ${tenantId} 不存在`);
  return tenant;
}

/** Creates a console user with a scrypt password hash. */
export async function createUser(
  { db, clock }: Ctx,
  input: {
    tenantId: string;
    username: string;
    password: string;
    role: UserRole;
    displayName?: string | undefined;
    orgTaxIds?: readonly string[] | null | undefined;
    /** A hash made beforehand (scrypt is slow: keep it out of a transaction). */
    passwordHash?: string;
  },
): Promise<Omit<User, 'password_hash'>> {
  await getTenant({ db }, input.tenantId);
  const taken = await findUserIdByUsername(db, input.username);
  if (taken) throw new AppError(USERNAME_TAKEN, `用户名 ${input.username} 已被使用`);
  const now = clock.now();
  const user: User = {
    id: newId('usr', now),
    tenant_id: input.tenantId,
    username: input.username,
    display_name: input.displayName || input.username,
    role: input.role,
    password_hash: input.passwordHash ?? (await hashPassword(input.password)),
    disabled: 0,
    created_at: now,
    updated_at: now,
    org_tax_ids: input.orgTaxIds ? userOrgTaxIdsJson.encode(input.orgTaxIds.map((t) => t.toUpperCase())) : null,
  };
  await insertUser(db, user);
  const { password_hash: _omit, ...visible } = user;
  return visible;
}

export interface CreatedApp {
  app: ApiApp;
  /** Shown once; only its hash is stored. */
  appSecret: string;
}

/** Creates an API app with a fresh secret (256 random bits). */
export async function createApiApp({ db, clock }: Ctx, input: { tenantId: string; name: string }): Promise<CreatedApp> {
  await getTenant({ db }, input.tenantId);
  const appSecret = randomToken(256);
  const app: ApiApp = {
    id: newId('app', clock.now()),
    tenant_id: input.tenantId,
    app_id: `ofa_${randomToken(96)}`,
    name: input.name,
    secret_hash: sha256Hex(appSecret),
    previous_secret_hash: null,
    previous_secret_expires_at: null,
    disabled: 0,
    created_at: clock.now(),
    rotated_at: null,
  };
  await insertApiApp(db, app);
  return { app, appSecret };
}

export async function listApiApps({ db }: Pick<Ctx, 'db'>, tenantId: string): Promise<ApiApp[]> {
  return findApiAppsOfTenant(db, tenantId);
}

/**
 * Replaces an app's secret. The previous secret keeps working for `overlapSeconds` so clients can switch without
 * downtime; tokens already issued stay valid until they expire.
 */
export async function rotateAppSecret(
  { db, clock }: Ctx,
  input: { tenantId: string; appId: string; overlapSeconds: number },
): Promise<CreatedApp> {
  const app = await findApiAppOfTenant(db, input.tenantId, input.appId);
  if (!app) throw new AppError(APP_NOT_FOUND);
  const appSecret = randomToken(256);
  const now = clock.now();
  const update = {
    secret_hash: sha256Hex(appSecret),
    previous_secret_hash: input.overlapSeconds > 0 ? app.secret_hash : null,
    previous_secret_expires_at: input.overlapSeconds > 0 ? now + input.overlapSeconds * 1000 : null,
    rotated_at: now,
  };
  await updateApiApp(db, app.id, update);
  return { app: { ...app, ...update }, appSecret };
}
