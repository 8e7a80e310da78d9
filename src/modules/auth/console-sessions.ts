import { createHmac } from 'node:crypto';
import { toIsoCst } from '../../platform/clock.js';
import type { Config } from '../../platform/config/load-config.js';
import type { Ctx } from '../../platform/deps.js';
import { AppError } from '../../platform/errors/app-error.js';
import { newId, randomToken, safeEqual, sha256Hex } from '../../platform/ids.js';
import { type AuditMeta, withAudit } from '../audit/index.js';
import { AUTH_TOKEN_INVALID, LOGIN_FAILED, LOGIN_LOCKED } from './auth.errors.js';
import type { UserRole } from './auth.tables.js';
import type { Caller } from './caller.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { permissionsOfRole } from './permissions.js';
import {
  clearLoginAttempts,
  countLoginFailure,
  deleteStaleLoginAttempts,
  findLoginAttempts,
  findSessionByHash,
  findUserForLogin,
  insertSession,
  touchSession,
} from './sessions.repo.js';
import { userOrgTaxIdsJson } from './stored-json.js';

export const SESSION_COOKIE = 'ofp_session';
export const SESSION_TOKEN_PREFIX = 'ofs_';
/** last_seen_at moves at most this often: the idle timeout is exact to within a minute, without a write per request. */
export const SESSION_TOUCH_INTERVAL_MS = 60_000;

type SessionConfig = Pick<
  Config['auth'],
  | 'sessionIdleMs'
  | 'sessionAbsoluteMs'
  | 'loginMaxFailuresPerUser'
  | 'loginMaxFailuresPerAddress'
  | 'loginFailureWindowMs'
  | 'loginLockoutMs'
>;

/** A hash to verify against when the username is unknown, so both answers take the same scrypt time. */
let dummyHash: Promise<string> | undefined;

/** The session's CSRF token: HMAC of the session id keyed by the cookie's token (only the browser and we know it). */
export function csrfTokenOf(token: string, sessionId: string): string {
  return createHmac('sha256', token).update(`openfapiao/csrf/v1\n${sessionId}`).digest('base64url');
}

/** Constant-time check of the `X-CSRF-Token` header against the session's token. */
export function csrfTokenMatches(token: string, sessionId: string, header: string | undefined): boolean {
  return typeof header === 'string' && safeEqual(header, csrfTokenOf(token, sessionId));
}

/** Stale failure counters are pruned at most this often per database, on the write of a failed login. */
export const LOGIN_ATTEMPTS_PRUNE_INTERVAL_MS = 60_000;
const lastPrunedAt = new WeakMap<object, number>();

/**
 * Keeps `login_attempts` small: a failed login (the only write that adds rows) also deletes the counters whose
 * window has passed and whose lockout is over, at most once a minute per database, so guessing from many addresses
 * or usernames cannot grow the table without bound.
 */
async function pruneLoginAttempts(db: Ctx['db'], now: number, cfg: SessionConfig): Promise<void> {
  const last = lastPrunedAt.get(db);
  if (last !== undefined && now - last < LOGIN_ATTEMPTS_PRUNE_INTERVAL_MS && now >= last) return;
  lastPrunedAt.set(db, now);
  await deleteStaleLoginAttempts(db, now - cfg.loginFailureWindowMs, now);
}

function loginKeys(username: string, clientAddress: string, cfg: SessionConfig) {
  return [
    { key: `user:${username}`, maxFailures: cfg.loginMaxFailuresPerUser },
    { key: `addr:${clientAddress}`, maxFailures: cfg.loginMaxFailuresPerAddress },
  ];
}

function lockedError(lockedUntil: number, now: number): AppError {
  const retryAfterSeconds = Math.max(1, Math.ceil((lockedUntil - now) / 1000));
  const at = toIsoCst(lockedUntil).slice(11, 16);
  return new AppError(
    LOGIN_LOCKED,
    `登录失败次数过多，已暂时锁定，请于 ${at}（约 ${Math.ceil(retryAfterSeconds / 60)} 分钟后）再试`,
    { retryAfterSeconds, lockedUntil: toIsoCst(lockedUntil) },
    { headers: { 'retry-after': String(retryAfterSeconds) } },
  );
}

export interface LoginResult {
  /** For the cookie; shown once, only its SHA-256 is stored. */
  token: string;
  caller: Caller;
}

/**
 * Console login. A locked username or client address is refused before the password is checked (429 LOGIN_LOCKED);
 * an unknown user, a wrong password and a disabled user get the same 401 LOGIN_FAILED and count one failure
 * against both keys in one statement. Audited: `session.login` (with the session), `session.login_failed` when the
 * username exists (its tenant's log; the reason: locked, wrong_password, disabled).
 */
export async function login(
  { db, clock, config, jobs }: Ctx<'config' | 'jobs'>,
  input: { username: string; password: string; userAgent: string; clientAddress: string; requestId: string | null },
): Promise<LoginResult> {
  const cfg = config.auth;
  const now = clock.now();
  const keys = loginKeys(input.username, input.clientAddress, cfg);
  const counters = await findLoginAttempts(
    db,
    keys.map((k) => k.key),
  );
  const user = await findUserForLogin(db, input.username);
  const lockedUntil = Math.max(0, ...counters.map((c) => (c.locked_until !== null ? Number(c.locked_until) : 0)));
  const failed = async (reason: 'locked' | 'wrong_password' | 'disabled') => {
    if (!user) return; // an unknown username belongs to no tenant's log
    await withAudit(
      { db, clock, jobs },
      metaOf(user, input),
      async () => undefined,
      () => ({
        action: 'session.login_failed',
        target: { type: 'user', id: user.id },
        after: { reason },
      }),
    );
  };
  if (lockedUntil > now) {
    await failed('locked');
    throw lockedError(lockedUntil, now);
  }
  dummyHash ??= hashPassword(randomToken(128));
  const passwordOk = await verifyPassword(input.password, user?.password_hash ?? (await dummyHash));
  if (!user || !passwordOk || user.disabled !== 0) {
    const counted = await countLoginFailure(db, keys, now, cfg.loginFailureWindowMs, cfg.loginLockoutMs);
    await pruneLoginAttempts(db, now, cfg);
    await failed(!passwordOk ? 'wrong_password' : 'disabled');
    const lockNow = Math.max(0, ...counted.map((c) => (c.locked_until !== null ? Number(c.locked_until) : 0)));
    if (lockNow > now) throw lockedError(lockNow, now);
    throw new AppError(LOGIN_FAILED);
  }
  if (counters.some((c) => c.attempt_key === keys[0]?.key)) await clearLoginAttempts(db, keys[0]?.key ?? '');
  const token = `${SESSION_TOKEN_PREFIX}${randomToken(256)}`;
  const session = {
    id: newId('ses', now),
    tenant_id: user.tenant_id,
    user_id: user.id,
    token_hash: sha256Hex(token),
    created_at: now,
    last_seen_at: now,
    absolute_expires_at: now + cfg.sessionAbsoluteMs,
    revoked_at: null,
    user_agent: input.userAgent.slice(0, 300),
    client_address: input.clientAddress.slice(0, 100),
  };
  await withAudit(
    { db, clock, jobs },
    metaOf(user, input),
    (c) => insertSession(c.db, session),
    () => ({
      action: 'session.login',
      target: { type: 'session', id: session.id },
      after: { userAgent: session.user_agent },
    }),
  );
  return {
    token,
    caller: userCaller(
      {
        id: session.id,
        tenant_id: user.tenant_id,
        tenant_name: user.tenant_name,
        user_id: user.id,
        username: user.username,
        display_name: user.display_name,
        role: user.role,
        org_tax_ids: user.org_tax_ids,
        created_at: now,
        last_seen_at: now,
        absolute_expires_at: session.absolute_expires_at,
      },
      token,
    ),
  };
}

function metaOf(
  user: { tenant_id: string; id: string; username: string },
  input: { clientAddress: string; requestId: string | null },
): AuditMeta {
  return {
    tenantId: user.tenant_id,
    actor: { kind: 'user', id: user.id, name: user.username },
    requestId: input.requestId,
    clientAddress: input.clientAddress,
  };
}

function userCaller(
  row: {
    id: string;
    tenant_id: string;
    tenant_name: string;
    user_id: string;
    username: string;
    display_name: string;
    role: UserRole;
    org_tax_ids: string | null;
    created_at: number;
    last_seen_at: number;
    absolute_expires_at: number;
  },
  token: string,
): Caller {
  const role = row.role;
  return {
    tenantId: row.tenant_id,
    tenantName: row.tenant_name,
    kind: 'user',
    actorId: row.user_id,
    actorName: row.username,
    permissions: new Set(permissionsOfRole(role)),
    orgTaxIds: role === 'clerk' ? (row.org_tax_ids === null ? [] : userOrgTaxIdsJson.decode(row.org_tax_ids)) : null,
    app: null,
    session: {
      sessionId: row.id,
      token,
      userId: row.user_id,
      username: row.username,
      displayName: row.display_name,
      role,
      createdAt: Number(row.created_at),
      lastSeenAt: Number(row.last_seen_at),
      absoluteExpiresAt: Number(row.absolute_expires_at),
    },
  };
}

const SESSION_EXPIRED_MESSAGE = '未登录或登录已过期，请重新登录';

/**
 * Resolves the cookie's token to its user, or throws 401 AUTH_TOKEN_INVALID (unknown, revoked, idle or past its
 * absolute lifetime, user disabled). Moves last_seen_at at most once a minute.
 */
export async function authenticateSession({ db, clock, config }: Ctx<'config'>, token: string | null): Promise<Caller> {
  if (!token) throw new AppError(AUTH_TOKEN_INVALID, SESSION_EXPIRED_MESSAGE);
  const row = await findSessionByHash(db, sha256Hex(token));
  const now = clock.now();
  if (
    !row ||
    row.revoked_at !== null ||
    row.disabled !== 0 ||
    Number(row.absolute_expires_at) <= now ||
    Number(row.last_seen_at) + config.auth.sessionIdleMs <= now
  ) {
    throw new AppError(AUTH_TOKEN_INVALID, SESSION_EXPIRED_MESSAGE);
  }
  let lastSeen = Number(row.last_seen_at);
  if (now - lastSeen >= SESSION_TOUCH_INTERVAL_MS) {
    await touchSession(db, row.id, lastSeen, now);
    lastSeen = now;
  }
  return userCaller({ ...row, last_seen_at: lastSeen }, token);
}

/** When the session ends if idle from now on, and at the latest. */
export function sessionExpiries(caller: Caller, config: Pick<Config['auth'], 'sessionIdleMs'>) {
  const s = caller.session;
  if (!s) throw new AppError(AUTH_TOKEN_INVALID);
  return {
    idleExpiresAt: Math.min(s.lastSeenAt + config.sessionIdleMs, s.absoluteExpiresAt),
    absoluteExpiresAt: s.absoluteExpiresAt,
  };
}

/** Reads the session token from a Cookie header (null when absent or malformed). */
export function parseSessionCookie(header: string | undefined): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    return /^ofs_[0-9A-Za-z]{20,100}$/.test(value) ? value : null;
  }
  return null;
}

/** The Set-Cookie value of a new session, or (token null) of its removal. */
export function sessionCookie(token: string | null, publicUrl: string): string {
  const secure = publicUrl.startsWith('https:') ? '; Secure' : '';
  return token === null
    ? `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure}`
    : `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict${secure}`;
}
