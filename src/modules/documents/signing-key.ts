/**
 * The key that signs public download links: config SIGNING_KEY, or else a random key generated on first start and
 * kept in `<DATA_DIR>/signing.key` (mode 600), so links survive restarts. Multi-node deployments must set
 * SIGNING_KEY (each node would otherwise generate its own file unless DATA_DIR is shared).
 */
import { createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../../platform/config/load-config.js';

export const SIGNING_KEY_FILE = 'signing.key';

const cache = new Map<string, Buffer>();

/** Reads (or creates) the signing key. Synchronous: called once when the runtime is created, then cached. */
export function loadSigningKey(config: Config): Buffer {
  if (config.documents.signingKey) return Buffer.from(config.documents.signingKey, 'utf8');
  const file = path.join(config.dataDir, SIGNING_KEY_FILE);
  const cached = cache.get(file);
  if (cached) return cached;
  let key: string;
  try {
    key = fs.readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    fs.mkdirSync(config.dataDir, { recursive: true });
    key = randomBytes(32).toString('base64url');
    try {
      // 'wx': never overwrite a key another process wrote first; re-read it instead.
      fs.writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
    } catch (writeErr) {
      if ((writeErr as NodeJS.ErrnoException).code !== 'EEXIST') throw writeErr;
      key = fs.readFileSync(file, 'utf8').trim();
    }
  }
  const bytes = Buffer.from(key, 'utf8');
  cache.set(file, bytes);
  return bytes;
}

/**
 * A key for another purpose (named by `label`), derived from the signing key with HMAC-SHA256, so one secret never
 * signs two kinds of token: a download-link signature can never pass as, say, a consumer form token.
 */
export function deriveSigningKey(config: Config, label: string): Buffer {
  return createHmac('sha256', loadSigningKey(config)).update(label, 'utf8').digest();
}
