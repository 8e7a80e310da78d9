import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { Database } from '../../platform/db/database.js';
import { AppError } from '../../platform/errors/app-error.js';
import { newId, randomToken, sha256Hex } from '../../platform/ids.js';
import { APP_NOT_FOUND, TENANT_NOT_FOUND, USERNAME_TAKEN } from './auth.errors.js';
import type { ApiApp, Tenant, User, UserRole } from './auth.tables.js';
import { hashPassword } from './passwords.js';

type Ctx = { db: Kysely<Database>; clock: Clock };

/** Creates a tenant (a customer of the installation). */
export async function createTenant({ db, clock }: Ctx, input: { name: string; isDemo?: boolean }): Promise<Tenant> {
  const tenant: Tenant = {
    id: newId('tnt', clock.now()),
    name: input.name,
    is_demo: input.isDemo ? 1 : 0,
    created_at: clock.now(),
  };
  await db.insertInto('tenants').values(tenant).execute();
  return tenant;
}

export async function getTenant({ db }: Pick<Ctx, 'db'>, tenantId: string): Promise<Tenant> {
  const tenant = await db.selectFrom('tenants').selectAll().where('id', '=', tenantId).executeTakeFirst();
  if (!tenant) throw new AppError(TENANT_NOT_FOUND, `租户 ${tenantId} 不存在`);
  return tenant;
}

/** Creates a console user with a scrypt password hash. */
export async function createUser(
  { db, clock }: Ctx,
  input: { tenantId: string; username: string; password: string; role: UserRole; displayName?: string },
): Promise<Omit<User, 'password_hash'>> {
  await getTenant({ db }, input.tenantId);
  const taken = await db.selectFrom('users').select('id').where('username', '=', input.username).executeTakeFirst();
  if (taken) throw new AppError(USERNAME_TAKEN, `用户名 ${input.username} 已被使用`);
  const now = clock.now();
  const user: User = {
    id: newId('usr', now),
    tenant_id: input.tenantId,
    username: input.username,
    display_name: input.displayName ?? input.username,
    role: input.role,
    password_hash: await hashPassword(input.password),
    disabled: 0,
    created_at: now,
    updated_at: now,
  };
  await db.insertInto('users').values(user).execute();
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
  await db.insertInto('api_apps').values(app).execute();
  return { app, appSecret };
}

export async function listApiApps({ db }: Pick<Ctx, 'db'>, tenantId: string): Promise<ApiApp[]> {
  return db.selectFrom('api_apps').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').execute();
}

/**
 * Replaces an app's secret. The previous secret keeps working for `overlapSeconds` so clients can switch without
 * downtime; tokens already issued stay valid until they expire.
 */
export async function rotateAppSecret(
  { db, clock }: Ctx,
  input: { tenantId: string; appId: string; overlapSeconds: number },
): Promise<CreatedApp> {
  const app = await db
    .selectFrom('api_apps')
    .selectAll()
    .where('tenant_id', '=', input.tenantId)
    .where('app_id', '=', input.appId)
    .executeTakeFirst();
  if (!app) throw new AppError(APP_NOT_FOUND);
  const appSecret = randomToken(256);
  const now = clock.now();
  const update = {
    secret_hash: sha256Hex(appSecret),
    previous_secret_hash: input.overlapSeconds > 0 ? app.secret_hash : null,
    previous_secret_expires_at: input.overlapSeconds > 0 ? now + input.overlapSeconds * 1000 : null,
    rotated_at: now,
  };
  await db.updateTable('api_apps').set(update).where('id', '=', app.id).execute();
  return { app: { ...app, ...update }, appSecret };
}
