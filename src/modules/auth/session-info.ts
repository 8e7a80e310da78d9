import type { Ctx } from '../../platform/deps.js';
import { AppError } from '../../platform/errors/app-error.js';
import { type AuditMeta, REDACTED, withAudit } from '../audit/index.js';
import { AUTH_TOKEN_INVALID, CURRENT_PASSWORD_WRONG, SESSION_NOT_FOUND, USER_NOT_FOUND } from './auth.errors.js';
import type { Caller } from './caller.js';
import { hashPassword, verifyPassword } from './passwords.js';
import {
  findLiveSessionsOfUser,
  findUserOfTenant,
  revokeSessionOfUser,
  revokeSessionsOfUser,
  updateUser,
} from './sessions.repo.js';

function sessionOf(caller: Caller) {
  if (!caller.session) throw new AppError(AUTH_TOKEN_INVALID, '此操作需要控制台登录会话');
  return caller.session;
}

/** The calling user's live sessions, newest first. */
export async function listOwnSessions({ db, clock, config }: Ctx<'config'>, caller: Caller) {
  const session = sessionOf(caller);
  const now = clock.now();
  const rows = await findLiveSessionsOfUser(db, session.userId, now - config.auth.sessionIdleMs, now);
  return rows.map((r) => ({ ...r, current: r.id === session.sessionId }));
}

/** Ends one of the calling user's sessions (404 SESSION_NOT_FOUND when it is not theirs or already ended). */
export async function revokeOwnSession(ctx: Ctx, meta: AuditMeta, caller: Caller, sessionId: string): Promise<void> {
  const session = sessionOf(caller);
  await withAudit(
    ctx,
    meta,
    async ({ db, clock }) => {
      if (!(await revokeSessionOfUser(db, session.userId, sessionId, clock.now()))) {
        throw new AppError(SESSION_NOT_FOUND);
      }
    },
    () => ({ action: 'session.revoke', target: { type: 'session', id: sessionId } }),
  );
}

/** Logout: ends the calling session. */
export async function endSession(ctx: Ctx, meta: AuditMeta, caller: Caller): Promise<void> {
  const session = sessionOf(caller);
  await withAudit(
    ctx,
    meta,
    ({ db, clock }) => revokeSessionOfUser(db, session.userId, session.sessionId, clock.now()),
    () => ({ action: 'session.logout', target: { type: 'session', id: session.sessionId } }),
  );
}

/** Changes the calling user's password (the current one is required) and ends their other sessions. */
export async function changeOwnPassword(
  ctx: Ctx,
  meta: AuditMeta,
  caller: Caller,
  input: { currentPassword: string; newPassword: string },
): Promise<void> {
  const session = sessionOf(caller);
  const user = await findUserOfTenant(ctx.db, caller.tenantId, session.userId);
  if (!user) throw new AppError(USER_NOT_FOUND);
  if (!(await verifyPassword(input.currentPassword, user.password_hash))) throw new AppError(CURRENT_PASSWORD_WRONG);
  const passwordHash = await hashPassword(input.newPassword);
  const now = ctx.clock.now();
  await withAudit(
    ctx,
    meta,
    async ({ db }) => {
      await updateUser(db, caller.tenantId, user.id, { password_hash: passwordHash, updated_at: now });
      await revokeSessionsOfUser(db, user.id, session.sessionId, now);
    },
    () => ({
      action: 'session.password_change',
      target: { type: 'user', id: user.id },
      diff: { password: { from: REDACTED, to: REDACTED } },
    }),
  );
}
