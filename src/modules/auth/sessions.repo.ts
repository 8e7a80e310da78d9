import { type Insertable, type Kysely, sql, type Transaction, type Updateable } from 'kysely';
import type { Database } from '../../platform/db/database.js';
import type { User } from './auth.tables.js';

type Db = Kysely<Database> | Transaction<Database>;

/** A user with their tenant's name, by login name. */
export async function findUserForLogin(db: Db, username: string) {
  return db
    .selectFrom('users as u')
    .innerJoin('tenants as n', 'n.id', 'u.tenant_id')
    .selectAll('u')
    .select('n.name as tenant_name')
    .where('u.username', '=', username)
    .executeTakeFirst();
}

export async function findUserOfTenant(db: Db, tenantId: string, userId: string): Promise<User | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', userId)
    .executeTakeFirst();
}

export async function findUserByUsername(db: Db, username: string): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
}

export async function findUsersOfTenant(db: Db, tenantId: string): Promise<User[]> {
  return db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).orderBy('username').execute();
}

export async function findAllUsers(db: Db): Promise<(User & { tenant_name: string })[]> {
  return db
    .selectFrom('users as u')
    .innerJoin('tenants as n', 'n.id', 'u.tenant_id')
    .selectAll('u')
    .select('n.name as tenant_name')
    .orderBy('u.tenant_id')
    .orderBy('u.username')
    .execute();
}

export async function updateUser(db: Db, tenantId: string, userId: string, set: Updateable<Database['users']>) {
  await db.updateTable('users').set(set).where('tenant_id', '=', tenantId).where('id', '=', userId).execute();
}

export async function insertSession(db: Db, row: Insertable<Database['console_sessions']>): Promise<void> {
  await db.insertInto('console_sessions').values(row).execute();
}

/** A live-or-not session with its user and tenant, by the SHA-256 of the cookie's token. */
export async function findSessionByHash(db: Db, tokenHash: string) {
  return db
    .selectFrom('console_sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .innerJoin('tenants as n', 'n.id', 's.tenant_id')
    .select([
      's.id',
      's.tenant_id',
      's.user_id',
      's.created_at',
      's.last_seen_at',
      's.absolute_expires_at',
      's.revoked_at',
      'u.username',
      'u.display_name',
      'u.role',
      'u.disabled',
      'u.org_tax_ids',
      'n.name as tenant_name',
    ])
    .where('s.token_hash', '=', tokenHash)
    .executeTakeFirst();
}

/** Moves last_seen_at forward unless another request already did (compare-and-set on the value read). */
export async function touchSession(db: Db, sessionId: string, seenBefore: number, now: number): Promise<void> {
  await db
    .updateTable('console_sessions')
    .set({ last_seen_at: now })
    .where('id', '=', sessionId)
    .where('last_seen_at', '=', seenBefore)
    .execute();
}

export async function findLiveSessionsOfUser(db: Db, userId: string, idleSince: number, now: number) {
  return db
    .selectFrom('console_sessions')
    .select(['id', 'created_at', 'last_seen_at', 'user_agent', 'client_address'])
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('last_seen_at', '>', idleSince)
    .where('absolute_expires_at', '>', now)
    .orderBy('id', 'desc')
    .execute();
}

/** Revokes one session of a user; returns whether a live one was revoked. */
export async function revokeSessionOfUser(db: Db, userId: string, sessionId: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('console_sessions')
    .set({ revoked_at: now })
    .where('user_id', '=', userId)
    .where('id', '=', sessionId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Revokes every session of a user except `keepId` (null: all); returns how many were still open. */
export async function revokeSessionsOfUser(db: Db, userId: string, keepId: string | null, now: number) {
  let query = db
    .updateTable('console_sessions')
    .set({ revoked_at: now })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null);
  if (keepId !== null) query = query.where('id', '!=', keepId);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** The failure counters of the given keys (to refuse a locked key before checking the password). */
export async function findLoginAttempts(db: Db, keys: string[]) {
  return db
    .selectFrom('login_attempts')
    .select(['attempt_key', 'failures', 'locked_until'])
    .where('attempt_key', 'in', keys)
    .execute();
}

/**
 * Counts one failed login against every key in ONE statement (an upsert: no row lock is held across a round trip).
 * A key's count restarts when its window has passed or its lockout is over; reaching its `max_failures` locks it
 * until `now + lockoutMs`. Returns each key's count and lock after this failure.
 */
export async function countLoginFailure(
  db: Db,
  keys: { key: string; maxFailures: number }[],
  now: number,
  windowMs: number,
  lockoutMs: number,
) {
  const windowCut = now - windowMs;
  const restart = sql<boolean>`(login_attempts.window_start <= ${windowCut} or (login_attempts.locked_until is not null and login_attempts.locked_until <= ${now}))`;
  const failures = sql<number>`case when ${restart} then 1 else login_attempts.failures + 1 end`;
  return db
    .insertInto('login_attempts')
    .values(
      keys.map((k) => ({
        attempt_key: k.key,
        failures: 1,
        max_failures: k.maxFailures,
        window_start: now,
        locked_until: k.maxFailures <= 1 ? now + lockoutMs : null,
      })),
    )
    .onConflict((oc) =>
      oc.column('attempt_key').doUpdateSet({
        failures,
        max_failures: sql`excluded.max_failures`,
        window_start: sql`case when ${restart} then excluded.window_start else login_attempts.window_start end`,
        locked_until: sql`case when ${failures} >= excluded.max_failures then excluded.window_start + ${lockoutMs} when ${restart} then null else login_attempts.locked_until end`,
      }),
    )
    .returning(['attempt_key', 'failures', 'locked_until'])
    .execute();
}

/**
 * Deletes the counters that no longer count: their window has passed and they are not locked (a later failure of
 * the key would restart them anyway). Returns how many were deleted.
 */
export async function deleteStaleLoginAttempts(db: Db, windowCut: number, now: number): Promise<number> {
  const result = await db
    .deleteFrom('login_attempts')
    .where('window_start', '<=', windowCut)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Forgets a key's failures (after a successful login of that username). */
export async function clearLoginAttempts(db: Db, key: string): Promise<void> {
  await db.deleteFrom('login_attempts').where('attempt_key', '=', key).execute();
}
