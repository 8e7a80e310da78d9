/**
 * Signed public download links: `/d/<invoiceId>.<f><expiry>.<signature>` where `f` is p/o/x (the format), expiry
 * is unix seconds in base 36 and the signature is the first 22 base64url characters (132 bits) of
 * HMAC-SHA256(key, "<invoiceId>.<f><expiry>"). Short, URL-safe, tamper-proof and expiring; no database row.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { toIsoCst } from '../../platform/clock.js';
import { AppError } from '../../platform/errors/app-error.js';
import type { DocumentFormat } from './document-formats.js';
import { DOCUMENT_LINK_EXPIRED, DOCUMENT_LINK_INVALID } from './documents.errors.js';

/** Default lifetime of a link: 30 days. */
export const DOWNLOAD_LINK_TTL_SECONDS = 30 * 86_400;

const FORMAT_CODES: Readonly<Record<DocumentFormat, string>> = { pdf: 'p', ofd: 'o', xml: 'x' };
const TOKEN_RE = /^([A-Za-z0-9_-]{1,64})\.([pox])([0-9a-z]{1,10})\.([A-Za-z0-9_-]{22})$/;

const sign = (key: Buffer, payload: string) =>
  createHmac('sha256', key).update(payload).digest('base64url').slice(0, 22);

/** A token for `invoiceId`/`format` valid until `expiresAtMs`. */
export function signDownloadToken(key: Buffer, invoiceId: string, format: DocumentFormat, expiresAtMs: number): string {
  const payload = `${invoiceId}.${FORMAT_CODES[format]}${Math.floor(expiresAtMs / 1000).toString(36)}`;
  return `${payload}.${sign(key, payload)}`;
}

/** Checks a token; throws DOCUMENT_LINK_INVALID (bad shape or signature) or DOCUMENT_LINK_EXPIRED. */
export function verifyDownloadToken(
  key: Buffer,
  token: string,
  nowMs: number,
): { invoiceId: string; format: DocumentFormat; expiresAtMs: number } {
  const m = TOKEN_RE.exec(token);
  if (!m) throw new AppError(DOCUMENT_LINK_INVALID);
  const [, invoiceId = '', code = '', expiry = '', signature = ''] = m;
  const expected = Buffer.from(sign(key, `${invoiceId}.${code}${expiry}`));
  if (!timingSafeEqual(expected, Buffer.from(signature))) throw new AppError(DOCUMENT_LINK_INVALID);
  const expiresAtMs = Number.parseInt(expiry, 36) * 1000;
  if (expiresAtMs <= nowMs) throw new AppError(DOCUMENT_LINK_EXPIRED, undefined, { expiredAt: toIsoCst(expiresAtMs) });
  const format = (Object.keys(FORMAT_CODES) as DocumentFormat[]).find((f) => FORMAT_CODES[f] === code) ?? 'pdf';
  return { invoiceId, format, expiresAtMs };
}
