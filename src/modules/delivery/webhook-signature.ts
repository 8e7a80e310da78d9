import { createHmac, timingSafeEqual } from 'node:crypto';

/** Scheme prefix of each signature in `X-OpenFapiao-Signature`. */
export const SIGNATURE_SCHEME = 'sha256';

/** Default freshness window of {@link verifyWebhookSignature}: five minutes either side. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** Hex HMAC-SHA256 of `"<timestamp>.<body>"` keyed with the secret (UTF-8). The body is the raw request body. */
export function computeWebhookSignature(secret: string, timestamp: string | number, body: string | Uint8Array): string {
  return createHmac('sha256', secret)
    .update(`${timestamp}.`, 'utf8')
    .update(typeof body === 'string' ? Buffer.from(body, 'utf8') : body)
    .digest('hex');
}

/**
 * The `X-OpenFapiao-Signature` value: one `sha256=<hex>` per signing secret, comma-separated. Outside a rotation
 * there is one; during a rotation's overlap the new secret's signature comes first, then the old one's.
 */
export function buildSignatureHeader(
  secrets: readonly string[],
  timestamp: string | number,
  body: string | Uint8Array,
): string {
  return secrets.map((s) => `${SIGNATURE_SCHEME}=${computeWebhookSignature(s, timestamp, body)}`).join(',');
}

/** Options of {@link verifyWebhookSignature}. */
export interface VerifyWebhookOptions {
  /** Reject timestamps further than this from `now` (replay protection); default 300. 0 disables the check. */
  toleranceSeconds?: number;
  /** Current time in epoch milliseconds (tests); default `Date.now()`. */
  now?: number;
}

/**
 * Verifies a webhook the way receivers should: `timestamp` (header `X-OpenFapiao-Timestamp`, Unix seconds) must be
 * fresh, and one of the `sha256=` entries of `signatureHeader` (`X-OpenFapiao-Signature`) must equal the HMAC of
 * `"<timestamp>.<body>"` with `secret`. Pass the raw body exactly as received, not re-serialized JSON.
 * Comparison is constant-time. Returns false (never throws) for anything malformed.
 */
export function verifyWebhookSignature(
  secret: string,
  timestamp: string | number,
  body: string | Uint8Array,
  signatureHeader: string | null | undefined,
  options: VerifyWebhookOptions = {},
): boolean {
  const ts = String(timestamp).trim();
  if (!/^\d{1,12}$/.test(ts) || !signatureHeader) return false;
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const nowSeconds = Math.floor((options.now ?? Date.now()) / 1000);
  if (tolerance > 0 && Math.abs(nowSeconds - Number(ts)) > tolerance) return false;
  const expected = Buffer.from(computeWebhookSignature(secret, ts, body), 'hex');
  let ok = false;
  for (const part of signatureHeader.split(',')) {
    const [scheme, hex] = part.trim().split('=', 2);
    if (scheme !== SIGNATURE_SCHEME || !hex || !/^[0-9a-f]{64}$/i.test(hex)) continue;
    if (timingSafeEqual(Buffer.from(hex, 'hex'), expected)) ok = true;
  }
  return ok;
}
