import type { FastifyRequest } from 'fastify';
import type { Deps } from '../../../platform/deps.js';
import { AppError } from '../../../platform/errors/app-error.js';
import { findBusinessSystemByCode } from '../../orgs/index.js';
import type { AssistantEvent } from '../assistant.tables.js';
import { eventCodeHash } from './create-event.js';
import { ASSISTANT_EVENT_EXPIRED, ASSISTANT_EVENT_INVALID } from './events.errors.js';
import { findEventByCodeHash } from './events.repo.js';

/** The shape of an event code (32 bytes base64url = 43 characters); checked before anything is hashed or read. */
const EVENT_CODE_RE = /^[A-Za-z0-9_-]{43}$/;

/** The header the assistant pages send their event code in (never logged: the request log carries no headers). */
export const EVENT_CODE_HEADER = 'x-event-code';

/** The event of a code, whatever its state (null: no such code, or replaced). */
export async function findEventByCode(deps: Pick<Deps, 'db'>, code: string): Promise<AssistantEvent | null> {
  if (!EVENT_CODE_RE.test(code)) return null;
  return (await findEventByCodeHash(deps.db.kysely, eventCodeHash(code))) ?? null;
}

/** The live event of a code: 401 ASSISTANT_EVENT_INVALID (unknown, replaced, revoked) or ASSISTANT_EVENT_EXPIRED. */
export async function liveEventOf(deps: Pick<Deps, 'db' | 'clock'>, code: string | undefined): Promise<AssistantEvent> {
  const event = code === undefined ? null : await findEventByCode(deps, code);
  if (!event || event.revoked_at !== null) throw new AppError(ASSISTANT_EVENT_INVALID);
  if (Number(event.expires_at) <= deps.clock.now()) throw new AppError(ASSISTANT_EVENT_EXPIRED);
  return event;
}

/** The live event of a page request (header `X-Event-Code`). */
export function eventOfRequest(deps: Pick<Deps, 'db' | 'clock'>, request: FastifyRequest): Promise<AssistantEvent> {
  const header = request.headers[EVENT_CODE_HEADER];
  return liveEventOf(deps, typeof header === 'string' ? header.trim() : undefined);
}

/** The default `frame-ancestors`: only our own origin may frame the pages. */
export const DEFAULT_FRAME_ANCESTORS = ["'self'"] as const;

/**
 * The CSP `frame-ancestors` sources for the assistant page opened with `eventCode`: the business system's configured
 * origins, `'self'` when none are configured or the code is unknown (the page then shows its error in our own frame
 * only). For the page-serving route: `content-security-policy: frame-ancestors ${sources.join(' ')}`.
 */
export async function frameAncestorsOfEvent(deps: Pick<Deps, 'db'>, eventCode: string | undefined): Promise<string[]> {
  const event = eventCode === undefined ? null : await findEventByCode(deps, eventCode);
  if (!event) return [...DEFAULT_FRAME_ANCESTORS];
  const system = await findBusinessSystemByCode(deps.db.kysely, event.tenant_id, event.resource);
  const sources = system?.frame_ancestors?.split(' ').filter(Boolean) ?? [];
  return sources.length > 0 ? sources : [...DEFAULT_FRAME_ANCESTORS];
}
