import type { Ctx } from '../../platform/deps.js';
import { AppError } from '../../platform/errors/app-error.js';
import { type AuditChange, type AuditMeta, REDACTED, withAudit } from '../audit/index.js';
import { SESSION_NOT_FOUND, USER_NOT_FOUND } from './auth.errors.js';
import type { User, UserRole } from './auth.tables.js';
import { hashPassword } from './passwords.js';
import {
  findAllUsers,
  findLiveSessionsOfUser,
  findUserByUsername,
  findUserOfTenant,
  findUsersOfTenant,
  revokeSessionOfUser,
  revokeSessionsOfUser,
  updateUser,
} from './sessions.repo.js';
import { userOrgTaxIdsJson } from './stored-json.js';
import { createUser } from './tenants.js';

/** What a user looks like to admins and in the audit log (never the password hash). */
export function userView(user: Omit<User, 'password_hash'>) {
  return {
    id: user.id,
    username: user.username,
    displayName: user.display_name,
    role: user.role,
    orgTaxIds: user.org_tax_ids === null ? null : userOrgTaxIdsJson.decode(user.org_tax_ids),
    disabled: user.disabled === 1,
    createdAt: Number(user.created_at),
    updatedAt: Number(user.updated_at),
  };
}

function auditedView(user: Omit<User, 'password_hash'>) {
  const { createdAt: _c, updatedAt: _u, ...rest } = userView(user);
  return rest;
}

export async function listUsers({ db }: Pick<Ctx, 'db'>, tenantId: string) {
  return (await findUsersOfTenant(db, tenantId)).map(userView);
}

/** Whether the tenant has this user and it is not disabled (e.g. a personal collection address still takes mail). */
export async function isActiveUser({ db }: Pick<Ctx, 'db'>, tenantId: string, userId: string): Promise<boolean> {
  const user = await findUserOfTenant(db, tenantId, userId);
  return user !== undefined && user.disabled !== 1;
}

async function userOrThrow(db: Ctx['db'], tenantId: string, userId: string): Promise<User> {
  const user = await findUserOfTenant(db, tenantId, userId);
  if (!user) throw new AppError(USER_NOT_FOUND);
  return user;
}

/** Creates a console user of the tenant (admin: users.manage); audited as `users.create`. */
export async function createTenantUser(
  ctx: Ctx,
  meta: AuditMeta,
  input: {
    username: string;
    displayName?: string | undefined;
    role: UserRole;
    orgTaxIds?: readonly string[] | null | undefined;
    password: string;
  },
) {
  const passwordHash = await hashPassword(input.password); // before the transaction: scrypt takes a while
  const created = await withAudit(
    ctx,
    meta,
    (c) => createUser(c, { ...input, tenantId: meta.tenantId, passwordHash }),
    (user): AuditChange => ({
      action: 'users.create',
      target: { type: 'user', id: user.id },
      after: auditedView(user),
    }),
  );
  return userView(created);
}

/**
 * Changes a user's display name, role, orgs or disabled flag; audited as `users.update` with the before/after
 * diff. Disabling, or changing the role or orgs, ends the user's sessions (they log in again with the new rights).
 */
export async function updateTenantUser(
  ctx: Ctx,
  meta: AuditMeta,
  userId: string,
  input: { displayName?: string; role?: UserRole; orgTaxIds?: readonly string[] | null; disabled?: boolean },
) {
  const now = ctx.clock.now();
  const { after } = await withAudit(
    ctx,
    meta,
    async ({ db }) => {
      const before = await userOrThrow(db, meta.tenantId, userId);
      const set = {
        ...(input.displayName !== undefined ? { display_name: input.displayName } : {}),
        ...(input.role !== undefined ? { role: input.role } : {}),
        ...(input.orgTaxIds !== undefined
          ? {
              org_tax_ids:
                input.orgTaxIds === null ? null : userOrgTaxIdsJson.encode(input.orgTaxIds.map((t) => t.toUpperCase())),
            }
          : {}),
        ...(input.disabled !== undefined ? { disabled: input.disabled ? (1 as const) : (0 as const) } : {}),
        updated_at: now,
      };
      await updateUser(db, meta.tenantId, userId, set);
      const updated: User = { ...before, ...set };
      const rightsChanged =
        updated.disabled !== before.disabled ||
        updated.role !== before.role ||
        updated.org_tax_ids !== before.org_tax_ids;
      if (rightsChanged) await revokeSessionsOfUser(db, userId, null, now);
      return { before, after: updated };
    },
    ({ before, after }) => ({
      action: 'users.update',
      target: { type: 'user', id: userId },
      before: auditedView(before),
      after: auditedView(after),
    }),
  );
  return userView(after);
}

/** An admin sets a user's password; every session of the user ends. Audited as `users.reset_password`. */
export async function resetUserPassword(ctx: Ctx, meta: AuditMeta, userId: string, newPassword: string) {
  const passwordHash = await hashPassword(newPassword);
  const now = ctx.clock.now();
  await withAudit(
    ctx,
    meta,
    async ({ db }) => {
      await userOrThrow(db, meta.tenantId, userId);
      await updateUser(db, meta.tenantId, userId, { password_hash: passwordHash, updated_at: now });
      await revokeSessionsOfUser(db, userId, null, now);
    },
    () => ({
      action: 'users.reset_password',
      target: { type: 'user', id: userId },
      diff: { password: { from: REDACTED, to: REDACTED } },
    }),
  );
}

/** A user's live console sessions, newest first (admin: users.manage); 404 USER_NOT_FOUND outside the tenant. */
export async function listUserSessions({ db, clock, config }: Ctx<'config'>, tenantId: string, userId: string) {
  await userOrThrow(db, tenantId, userId);
  const now = clock.now();
  return findLiveSessionsOfUser(db, userId, now - config.auth.sessionIdleMs, now);
}

/**
 * An admin ends one session of a user (`sessionId`), or all of them (null). Audited as `users.revoke_sessions`
 * with the user as target and how many sessions ended. 404 SESSION_NOT_FOUND when the one session is not a live
 * session of that user.
 */
export async function revokeUserSessions(ctx: Ctx, meta: AuditMeta, userId: string, sessionId: string | null) {
  return withAudit(
    ctx,
    meta,
    async ({ db, clock }) => {
      await userOrThrow(db, meta.tenantId, userId);
      if (sessionId === null) return revokeSessionsOfUser(db, userId, null, clock.now());
      if (!(await revokeSessionOfUser(db, userId, sessionId, clock.now()))) throw new AppError(SESSION_NOT_FOUND);
      return 1;
    },
    (ended): AuditChange => ({
      action: 'users.revoke_sessions',
      target: { type: 'user', id: userId },
      after: { sessions: sessionId ?? 'all', ended },
    }),
  );
}

/** Every user of the installation, or of one tenant (CLI). */
export async function listAllUsers({ db }: Pick<Ctx, 'db'>, tenantId: string | null) {
  const rows = await findAllUsers(db);
  return rows
    .filter((u) => tenantId === null || u.tenant_id === tenantId)
    .map((u) => ({ ...userView(u), tenantId: u.tenant_id, tenantName: u.tenant_name }));
}

/** A user by login name (CLI), or 404 USER_NOT_FOUND. */
export async function findUserByName({ db }: Pick<Ctx, 'db'>, username: string): Promise<User> {
  const user = await findUserByUsername(db, username);
  if (!user) throw new AppError(USER_NOT_FOUND, `用户 ${username} 不存在`);
  return user;
}
