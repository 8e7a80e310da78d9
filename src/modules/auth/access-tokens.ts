import { type CacheSpec, invalidateCached, readThrough } from '../../platform/cache/index.js';
import type { Ctx } from '../../platform/deps.js';
import { AppError } from '../../platform/errors/app-error.js';
import { newId, randomToken, safeEqual, sha256Hex } from '../../platform/ids.js';
import { AUTH_INVALID_CREDENTIALS, AUTH_TOKEN_INVALID } from './auth.errors.js';
import {
  deleteTokensExpiredBefore,
  findApiAppByAppId,
  findTokenByHash,
  insertAccessToken,
  revokeTokenByHash,
} from './auth.repo.js';

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

/**
 * Token lookups (one per authenticated request) by the token's SHA-256, with their app and tenant. Expiry, revocation
 * and a disabled app are checked on the cached row at every request. What invalidates: revoking a token (below). Not
 * needed today — and to add with any such write: disabling an app, renaming a tenant (the row carries both), deleting
 * tokens (the purge only deletes expired ones, refused anyway). Rotating an app's secret leaves issued tokens valid
 * by design (tenants.ts), so it changes no cached row. Unknown tokens are never cached.
 */
export const TOKEN_CACHE: CacheSpec = { name: 'auth.tokens', ttlMs: 15_000, maxEntries: 20_000 };

/** Exchanges appId + appSecret for a bearer token (≥128 random bits; only its SHA-256 is stored). */
export async function issueAccessToken(
  { db, clock }: Ctx,
  input: { appId: string; appSecret: string; ttlSeconds: number },
): Promise<{ accessToken: string; expiresIn: number; expiresAt: number }> {
  const app = await findApiAppByAppId(db, input.appId);
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
  await insertAccessToken(db, {
    id: newId('tok', now),
    tenant_id: app.tenant_id,
    app_pk: app.id,
    token_hash: sha256Hex(accessToken),
    created_at: now,
    expires_at: expiresAt,
    revoked_at: null,
  });
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
  const hash = sha256Hex(token);
  const row = await readThrough(db, TOKEN_CACHE, hash, () => findTokenByHash(db, hash));
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
  const hash = sha256Hex(input.token);
  await revokeTokenByHash(db, input.tenantId, hash, clock.now());
  await invalidateCached(db, TOKEN_CACHE, hash);
}

/** Deletes tokens that expired more than a day ago (housekeeping job). */
export async function purgeExpiredTokens({ db, clock }: Ctx): Promise<number> {
  return deleteTokensExpiredBefore(db, clock.now() - 86_400_000);
}
