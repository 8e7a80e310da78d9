import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../../platform/config/load-config.js';
import { randomToken, secureRandomBytes } from '../../platform/ids.js';

/** Name of the generated key file in DATA_DIR when SECRET_ENCRYPTION_KEY is not set. */
export const SECRET_KEY_FILE = 'secret-encryption.key';

const VERSION = 'v1';
const keyCache = new Map<string, Buffer>();

/** A fresh signing secret: `whsec_` + 256 random bits in base62. Shown to the merchant once. */
export function generateSigningSecret(): string {
  return `whsec_${randomToken(256)}`;
}

/** Reads DATA_DIR's key file, creating it (random 32 bytes, mode 0600) on first use; `wx` makes creation race-free. */
function readOrCreateKeyFile(dataDir: string): string {
  const file = path.join(dataDir, SECRET_KEY_FILE);
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  fs.mkdirSync(dataDir, { recursive: true });
  try {
    fs.writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return fs.readFileSync(file, 'utf8').trim();
}

/** The AES-256 key: HKDF-SHA256 of SECRET_ENCRYPTION_KEY (or the key file), bound to this purpose. */
function encryptionKey(config: Pick<Config, 'dataDir' | 'delivery'>): Buffer {
  const material = config.delivery.secretEncryptionKey ?? `file:${config.dataDir}`;
  const cached = keyCache.get(material);
  if (cached) return cached;
  const secret = config.delivery.secretEncryptionKey ?? readOrCreateKeyFile(config.dataDir);
  const key = Buffer.from(hkdfSync('sha256', secret, 'openfapiao', 'business-system-signing-secret:v1', 32));
  keyCache.set(material, key);
  return key;
}

/**
 * Encrypts a signing secret for storage (AES-256-GCM, random 96-bit IV). `context` (tenant and system id) is
 * authenticated too, so a ciphertext copied to another row does not decrypt.
 */
export function encryptSecret(config: Pick<Config, 'dataDir' | 'delivery'>, plain: string, context: string): string {
  const iv = secureRandomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', encryptionKey(config), iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `${VERSION}:${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64')}`;
}

/** Decrypts what {@link encryptSecret} stored; throws when the key or context does not match. */
export function decryptSecret(config: Pick<Config, 'dataDir' | 'delivery'>, stored: string, context: string): string {
  if (!stored.startsWith(`${VERSION}:`)) throw new Error('unknown secret encoding');
  const raw = Buffer.from(stored.slice(VERSION.length + 1), 'base64');
  const decipher = createDecipheriv('aes-256-gcm', encryptionKey(config), raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(raw.subarray(raw.length - 16));
  return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8');
}
