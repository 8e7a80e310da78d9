import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../../platform/errors/app-error.js';
import { randomToken, safeEqual } from '../../../platform/ids.js';
import { SCAN_CSRF_FAILED } from '../scan.errors.js';

const COOKIE = 'ofp_csrf';
const TOKEN_RE = /^[0-9A-Za-z]{22}$/;

function readCookie(request: FastifyRequest): string | null {
  const header = request.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const [name, value] = part.trim().split('=');
    if (name === COOKIE && value && TOKEN_RE.test(value)) return value;
  }
  return null;
}

/**
 * The form's CSRF token (double-submit cookie): the browser's `ofp_csrf` cookie (HttpOnly, SameSite=Lax), created
 * on first use, repeated in a hidden field. Another site can neither read the cookie nor make the browser send it
 * with a cross-site POST.
 */
export function issueCsrfToken(request: FastifyRequest, reply: FastifyReply, secure: boolean): string {
  const existing = readCookie(request);
  if (existing) return existing;
  const token = randomToken(128);
  void reply.header(
    'set-cookie',
    `${COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=86400${secure ? '; Secure' : ''}`,
  );
  return token;
}

/** Rejects a form POST whose `_csrf` field does not match the cookie, or whose Origin is another site. */
export function assertCsrf(request: FastifyRequest, publicUrl: string): void {
  const cookie = readCookie(request);
  const field = (request.body as Record<string, unknown> | undefined)?._csrf;
  const origin = request.headers.origin;
  const sameOrigin = !origin || origin === 'null' || isOwnOrigin(origin, request.headers.host, publicUrl);
  if (!cookie || typeof field !== 'string' || !safeEqual(cookie, field) || !sameOrigin) {
    throw new AppError(SCAN_CSRF_FAILED);
  }
}

function isOwnOrigin(origin: string, host: string | undefined, publicUrl: string): boolean {
  try {
    const { host: originHost } = new URL(origin);
    return originHost === host || originHost === new URL(publicUrl).host;
  } catch {
    return false;
  }
}
