import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { Database } from '../../platform/db/database.js';
import { AppError } from '../../platform/errors/app-error.js';
import { newId, randomToken, safeEqual, sha256Hex } from '../../platform/ids.js';
import { AUTH_INVALID_CREDENTIALS, AUTH_TOKEN_INVALID } from './auth.errors.js';

type Ctx = { db: Kysely<Database>; clock: Clock };

/** Who is calling: resolved from a bearer token on every authenticated request. */
export interface AuthContext {
  readonly tenantId: string;
  readonly tenantName: string;
  readonly appId: string;
  readonly appPk: string;
  readonly tokenId: string;
  readonly expiresAt: number;
}

export const ACCESS_TOKEN_PREFIX = 'oft_';

/** Exchanges appId + appSecret for a bearer token (≥128 random bits; only its SHA-256 is stored). */
export async function issueAccessToken(
  { db, clock }: Ctx,
  input: { appId: string; appSecret: string; ttlSeconds: number },
): Promise<{ accessToken: string; expiresIn: number; expiresAt: number }> {
  const app = await db.selectFrom('api_apps').selectAll().where('app_id', '=', input.appId).executeTakeFirst();
  const now = clock.now();
  const hash = sha256Hex(input.appSecret);
  const matches =
    app !== undefined &&
    app.disabled === 0 &&
    (safeEqual(hash, app.secret_hash) ||
      (app.previous_secret_hash !== null &&
        (app.previous_secret_expires_at ?? 0) > now &&
        safeEqual(hash, app.previous_secret_hash)));
  if (!app || !matches) throw new AppError(AUTH_INVALID_CREDENTIALS);
  const accessToken = `${ACCESS_TOKEN_PREFIX}${randomToken(256)}`;
  const expiresAt = now + input.ttlSeconds * 1000;
  await db
    .insertInto('access_tokens')
    .values({
      id: newId('tok', now),
      tenant_id: app.tenant_id,
      app_pk: app.id,
      token_hash: sha256Hex(accessToken),
      created_at: now,
      expires_at: expiresAt,
      revoked_at: null,
    })
    .execute();
  return { accessToken, expiresIn: input.ttlSeconds, expiresAt };
}

/** Parses `Authorization: Bearer <token>`; returns null when absent or malformed. */
export function parseBearer(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+([A-Za-z0-9_]{8,200})\s*$/i.exec(header);
  return match ? (match[1] as string) : null;
}

/** Resolves a bearer token to its tenant and app, or throws AUTH_TOKEN_INVALID (missing, unknown, expired, revoked). */
export async function authenticateToken({ db, clock }: Ctx, token: string | null): Promise<AuthContext> {
  if (!token) throw new AppError(AUTH_TOKEN_INVALID);
  const row = await db
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
    .where('t.token_hash', '=', sha256Hex(token))
    .executeTakeFirst();
  if (!row || row.revoked_at !== null || row.expires_at <= clock.now() || row.disabled !== 0) {
    throw new AppError(AUTH_TOKEN_INVALID);
  }
  return {
    tenantId: row.tenant_id,
    tenantName: row.tenant_name,
    appId: row.app_id,
    appPk: row.app_pk,
    tokenId: row.id,
    expiresAt: row.expires_at,
  };
}

/** Revokes a token of the caller's tenant. Revoking an unknown or foreign token is a silent no-op (no oracle). */
export async function revokeAccessToken({ db, clock }: Ctx, input: { tenantId: string; token: string }): Promise<void> {
  await db
    .updateTable('access_tokens')
    .set({ revoked_at: clock.now() })
    .where('token_hash', '=', sha256Hex(input.token))
    .where('tenant_id', '=', input.tenantId)
    .where('revoked_at', 'is', null)
    .execute();
}

/** Deletes tokens that expired more than a day ago (housekeeping job). */
export async function purgeExpiredTokens({ db, clock }: Ctx): Promise<number> {
  const result = await db
    .deleteFrom('access_tokens')
    .where('expires_at', '<', clock.now() - 86_400_000)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
