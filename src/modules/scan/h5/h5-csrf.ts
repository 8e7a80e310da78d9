import { createHmac } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../../platform/deps.js';
import { AppError } from '../../../platform/errors/app-error.js';
import { randomToken, safeEqual } from '../../../platform/ids.js';
import { deriveSigningKey } from '../../documents/index.js';
import { SCAN_CSRF_FAILED } from '../scan.errors.js';

const COOKIE = 'ofp_csrf';
const NONCE_RE = /^[0-9A-Za-z]{22}$/;
const FIELD_RE = /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]{43})$/;
/** A form stays valid this long after it was rendered (the cookie lives as long). */
const FORM_TOKEN_TTL_SECONDS = 86_400;
/** Tolerated clock difference between the node that rendered the form and the node that receives the post. */
const CLOCK_SKEW_SECONDS = 300;
/** Label of the key derived from the signing key, so download-link signatures and form tokens never share a key. */
const KEY_LABEL = 'openfapiao/h5-form-token/v1';

/**
 * CSRF protection of the consumer pages' form posts.
 *
 * - The browser holds a random nonce in the `ofp_csrf` cookie (HttpOnly, SameSite=Lax).
 * - Each form carries `_csrf` = `<issuedAt>.<HMAC(key, nonce, form action, issuedAt)>` with a key derived from the
 *   server's signing key. Only the server can make a field that matches a nonce, so a cookie/field pair chosen by
 *   someone else (e.g. a cookie planted from a sibling domain) fails, and a field works only for the form (path)
 *   it was rendered for, for {@link FORM_TOKEN_TTL_SECONDS}.
 * - A present `Origin` (including the literal `null` of sandboxed frames and some redirects) must be ours; without
 *   `Origin`, a present `Referer` must be ours. "Ours" is `PUBLIC_URL`'s origin or the origin the request was
 *   addressed to (Host / X-Forwarded-Host under TRUST_PROXY). Without either header the token decides.
 */
export interface CsrfGuard {
  /** The hidden `_csrf` value for a form posting to `action`; (re)sets the nonce cookie. */
  issue(request: FastifyRequest, reply: FastifyReply, action: string): string;
  /** Throws SCAN_CSRF_FAILED unless the post to `action` carries a valid token and comes from one of our pages. */
  verify(request: FastifyRequest, action: string): void;
}

export function createCsrfGuard(deps: Deps): CsrfGuard {
  const key = deriveSigningKey(deps.config, KEY_LABEL);
  const publicOrigin = new URL(deps.config.http.publicUrl).origin;
  const secure = deps.config.http.publicUrl.startsWith('https:');
  const mac = (nonce: string, action: string, issuedAt: string) =>
    createHmac('sha256', key).update(`${nonce}\n${action}\n${issuedAt}`).digest('base64url');

  return {
    issue(request, reply, action) {
      const nonce = readNonce(request) ?? randomToken(128);
      // Set on every render, so the cookie lives at least as long as the form it belongs to.
      void reply.header(
        'set-cookie',
        `${COOKIE}=${nonce}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${FORM_TOKEN_TTL_SECONDS}${secure ? '; Secure' : ''}`,
      );
      const issuedAt = Math.floor(deps.clock.now() / 1000).toString(36);
      return `${issuedAt}.${mac(nonce, action, issuedAt)}`;
    },
    verify(request, action) {
      if (!isFromOwnPage(request, publicOrigin)) throw new AppError(SCAN_CSRF_FAILED);
      const nonce = readNonce(request);
      const field = (request.body as Record<string, unknown> | undefined)?._csrf;
      const parts = typeof field === 'string' ? FIELD_RE.exec(field) : null;
      if (!nonce || !parts) throw new AppError(SCAN_CSRF_FAILED);
      const [, issuedAt, signature] = parts as unknown as [string, string, string];
      const age = Math.floor(deps.clock.now() / 1000) - Number.parseInt(issuedAt, 36);
      if (age > FORM_TOKEN_TTL_SECONDS || age < -CLOCK_SKEW_SECONDS) throw new AppError(SCAN_CSRF_FAILED);
      if (!safeEqual(signature, mac(nonce, action, issuedAt))) throw new AppError(SCAN_CSRF_FAILED);
    },
  };
}

function readNonce(request: FastifyRequest): string | null {
  const header = request.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const [name, value] = part.trim().split('=');
    if (name === COOKIE && value && NONCE_RE.test(value)) return value;
  }
  return null;
}

/** False when a present Origin (or, without it, a present Referer) names another site, `null`, or garbage. */
function isFromOwnPage(request: FastifyRequest, publicOrigin: string): boolean {
  const origin = request.headers.origin;
  const referer = request.headers.referer;
  const claimed = origin !== undefined ? origin : referer;
  if (claimed === undefined) return true;
  const claimedOrigin = originOf(claimed);
  if (claimedOrigin === null) return false;
  return claimedOrigin === publicOrigin || claimedOrigin === originOf(`${request.protocol}://${request.host}`);
}

function originOf(url: string): string | null {
  try {
    const { origin, protocol } = new URL(url);
    return protocol === 'http:' || protocol === 'https:' ? origin : null;
  } catch {
    return null;
  }
}
