import { createHash, randomFillSync, timingSafeEqual } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Encodes bytes as base62 (no padding); used for ids, tokens and short links. */
export function toBase62(bytes: Uint8Array): string {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  let out = '';
  while (n > 0n) {
    out = BASE62[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out || '0';
}

const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let poolOffset = 0;

/**
 * `n` bytes from the CSPRNG, served from a pool filled 4 KiB at a time (one `randomFillSync` per ~100 ids instead of
 * one per id: it was ~4 % of an order push's CPU). Bytes are handed out once and never written again: a used-up pool
 * is replaced, not refilled, so a slice a caller holds keeps its bytes.
 */
export function secureRandomBytes(n: number): Buffer {
  if (n > POOL_BYTES / 4) return randomFillSync(Buffer.allocUnsafeSlow(n));
  if (poolOffset + n > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafeSlow(POOL_BYTES));
    poolOffset = 0;
  }
  const out = pool.subarray(poolOffset, poolOffset + n);
  poolOffset += n;
  return out;
}

/** Random base62 string carrying at least `bits` random bits, fixed length. */
export function randomToken(bits = 128): string {
  const bytes = Math.ceil(bits / 8);
  const length = Math.ceil(bits / Math.log2(62));
  return toBase62(secureRandomBytes(bytes)).padStart(length, '0');
}

let lastMs = 0;
let counter = 0;

/**
 * A sortable, unique id: `<prefix>_<11 chars of time+counter><14 random chars>`. Ids created later sort later
 * within a process — also when the clock stands still or steps back (logical time moves on) — which keeps cursor
 * pagination stable.
 */
export function newId(prefix: string, nowMs = Date.now()): string {
  if (nowMs > lastMs) {
    lastMs = nowMs;
    counter = 0;
  } else if (++counter >= 4096) {
    lastMs++;
    counter = 0;
  }
  const time = (BigInt(lastMs) * 4096n + BigInt(counter)).toString(36).padStart(11, '0');
  return `${prefix}_${time}${randomToken(80).slice(0, 14)}`;
}

/**
 * An id of {@link newId}'s format for a given moment and a sequence number (0–4095 used of it), without touching the
 * process's monotonic state: for bulk-generated rows with their own timestamps (the seed command), which must sort
 * by those timestamps. Callers keep (ms, seq) increasing themselves.
 */
export function idAt(prefix: string, ms: number, seq: number): string {
  const time = (BigInt(Math.floor(ms)) * 4096n + BigInt(seq % 4096)).toString(36).padStart(11, '0');
  return `${prefix}_${time}${randomToken(80).slice(0, 14)}`;
}

/** SHA-256 hex of a high-entropy secret (tokens, app secrets). Low-entropy passwords use scrypt instead. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Constant-time string comparison. */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
