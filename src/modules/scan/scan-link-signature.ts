import { createHmac } from 'node:crypto';
import { safeEqual } from '../../platform/ids.js';

/** Bytes of the HMAC-SHA256 kept in `s` (96 bits → 16 base64url characters, no padding). */
export const SCAN_SIGNATURE_BYTES = 12;

/** The string a merchant signs: `k={key}&o={orderNo}&t={unixSeconds}` (docs/scan.md §3). */
export function scanLinkCanonical(key: string, orderNo: string, unixSeconds: number): string {
  return `k=${key}&o=${orderNo}&t=${unixSeconds}`;
}

/** `s` of a merchant-assembled link: base64url of the first 12 bytes of HMAC-SHA256(secret, canonical). */
export function scanLinkSignature(secret: string, key: string, orderNo: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret)
    .update(scanLinkCanonical(key, orderNo, unixSeconds), 'utf8')
    .digest();
  return mac.subarray(0, SCAN_SIGNATURE_BYTES).toString('base64url');
}

export interface SignScanLinkInput {
  /** PUBLIC_URL of the OpenFapiao installation, e.g. `https://fapiao.example.com`. */
  baseUrl: string;
  /** The dynamic QR setting's key. */
  key: string;
  /** The key's signing secret (shown once when the setting is created or its secret rotated). */
  secret: string;
  orderNo: string;
  /** Signing time in Unix seconds; defaults to now. */
  unixSeconds?: number;
}

/**
 * Builds a merchant-assembled scan link (业务系统组装二维码 / 离线二维码) that OpenFapiao verifies on scan:
 * `{baseUrl}/q/{key}?o={orderNo}&t={unixSeconds}&s={signature}`. Works offline at the till.
 */
export function signScanLink(input: SignScanLinkInput): string {
  const t = input.unixSeconds ?? Math.floor(Date.now() / 1000);
  const s = scanLinkSignature(input.secret, input.key, input.orderNo, t);
  const base = input.baseUrl.replace(/\/+$/, '');
  return `${base}/q/${encodeURIComponent(input.key)}?o=${encodeURIComponent(input.orderNo)}&t=${t}&s=${s}`;
}

/** Constant-time check of a link's `s`. */
export function isValidScanLinkSignature(
  secret: string,
  key: string,
  orderNo: string,
  unixSeconds: number,
  signature: string,
): boolean {
  return safeEqual(scanLinkSignature(secret, key, orderNo, unixSeconds), signature);
}
