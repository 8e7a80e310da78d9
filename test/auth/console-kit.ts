import type { LightMyRequestResponse } from 'fastify';
import { createUser, type UserRole } from '../../src/modules/auth/index.js';
import type { TestApp } from '../helpers/test-app.js';

let seq = 0;

/** A console user of `tenantId` with a known password; returns its username and password. */
export async function seedUser(
  t: TestApp,
  tenantId: string,
  role: UserRole,
  options: { orgTaxIds?: string[] | null; username?: string } = {},
): Promise<{ id: string; username: string; password: string }> {
  seq++;
  const username = options.username ?? `${role}-${seq}-${Math.random().toString(36).slice(2, 8)}`;
  const password = `pw-${username}-secret`;
  const user = await createUser(
    { db: t.runtime.deps.db.kysely, clock: t.clock },
    { tenantId, username, password, role, orgTaxIds: options.orgTaxIds ?? null },
  );
  return { id: user.id, username, password };
}

export interface ConsoleSession {
  cookie: string;
  csrfToken: string;
  /** Headers of a read: the cookie. */
  read: { cookie: string };
  /** Headers of a write: the cookie and the CSRF token. */
  write: { cookie: string; 'x-csrf-token': string };
  info: SessionInfoBody;
}

export interface SessionInfoBody {
  user: { id: string; username: string; role: string; tenantId: string; orgTaxIds: string[] | null };
  permissions: string[];
  csrfToken: string;
  idleExpiresAt: string;
  absoluteExpiresAt: string;
}

/** The `ofp_session=…` pair of a login answer's Set-Cookie. */
export function sessionCookieOf(res: LightMyRequestResponse): string {
  const header = res.headers['set-cookie'];
  const value = Array.isArray(header) ? header[0] : header;
  const match = /^(ofp_session=[^;]*)/.exec(value ?? '');
  if (!match?.[1]) throw new Error(`no session cookie in ${String(value)}`);
  return match[1];
}

/** Logs in through the real endpoint. */
export async function loginAs(
  t: TestApp,
  user: { username: string; password: string },
  remoteAddress = '127.0.0.1',
): Promise<ConsoleSession> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/session',
    payload: { username: user.username, password: user.password },
    remoteAddress,
  });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  const cookie = sessionCookieOf(res);
  const info = res.json<SessionInfoBody>();
  return {
    cookie,
    csrfToken: info.csrfToken,
    read: { cookie },
    write: { cookie, 'x-csrf-token': info.csrfToken },
    info,
  };
}
