import type { Insertable, Kysely, Updateable } from 'kysely';
import type { Database } from '../../platform/db/database.js';
import type { ApiApp, Tenant, User } from './auth.tables.js';

export async function insertTenant(db: Kysely<Database>, tenant: Tenant): Promise<void> {
  await db.insertInto('tenants').values(tenant).execute();
}

export async function findTenantById(db: Kysely<Database>, tenantId: string): Promise<Tenant | undefined> {
  return db.selectFrom('tenants').selectAll().where('id', '=', tenantId).executeTakeFirst();
}

export async function findUserIdByUsername(db: Kysely<Database>, username: string) {
  return db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst();
}

export async function insertUser(db: Kysely<Database>, user: User): Promise<void> {
  await db.insertInto('users').values(user).execute();
}

export async function insertApiApp(db: Kysely<Database>, app: ApiApp): Promise<void> {
  await db.insertInto('api_apps').values(app).execute();
}

export async function findApiAppsOfTenant(db: Kysely<Database>, tenantId: string): Promise<ApiApp[]> {
  return db.selectFrom('api_apps').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').execute();
}

export async function findApiAppOfTenant(
  db: Kysely<Database>,
  tenantId: string,
  appId: string,
): Promise<ApiApp | undefined> {
  return db
    .selectFrom('api_apps')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('app_id', '=', appId)
    .executeTakeFirst();
}

export async function findApiAppByAppId(db: Kysely<Database>, appId: string): Promise<ApiApp | undefined> {
  return db.selectFrom('api_apps').selectAll().where('app_id', '=', appId).executeTakeFirst();
}

export async function updateApiApp(db: Kysely<Database>, id: string, set: Updateable<Database['api_apps']>) {
  await db.updateTable('api_apps').set(set).where('id', '=', id).execute();
}

export async function insertAccessToken(db: Kysely<Database>, row: Insertable<Database['access_tokens']>) {
  await db.insertInto('access_tokens').values(row).execute();
}

/** A token with its app and tenant, by the token's SHA-256. */
export async function findTokenByHash(db: Kysely<Database>, tokenHash: string) {
  return db
    .selectFrom('access_tokens as t')
    .innerJoin('api_apps as a', 'a.id', 't.app_pk')
    .innerJoin('tenants as n', 'n.id', 't.tenant_id')
    .select([
      't.id',
      't.tenant_id',
      't.expires_at',
      't.revoked_at',
      'a.app_id',
      'a.id as app_pk',
      'a.disabled',
      'n.name as tenant_name',
    ])
    .where('t.token_hash', '=', tokenHash)
    .executeTakeFirst();
}

export async function revokeTokenByHash(db: Kysely<Database>, tenantId: string, tokenHash: string, now: number) {
  await db
    .updateTable('access_tokens')
    .set({ revoked_at: now })
    .where('token_hash', '=', tokenHash)
    .where('tenant_id', '=', tenantId)
    .where('revoked_at', 'is', null)
    .execute();
}

/** Deletes tokens that expired before `before`; returns how many. */
export async function deleteTokensExpiredBefore(db: Kysely<Database>, before: number): Promise<number> {
  const result = await db.deleteFrom('access_tokens').where('expires_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
