import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/database.js';

/** Where document bytes live, content-addressed by SHA-256 (hex). Writing the same bytes twice stores them once. */
export interface BlobStore {
  /** Which implementation (config BLOB_STORE). */
  readonly kind: 'fs' | 'db';
  /**
   * For `fs`: the root directory, so the render threads can store what they render themselves (putBlobFileSync)
   * instead of sending the bytes back to the main thread. Null when bytes must go through {@link put}.
   */
  readonly directory: string | null;
  /** Stores `bytes` (no-op when already stored) and returns its address. */
  put(bytes: Buffer): Promise<{ sha256: string; size: number }>;
  /** The bytes, or null when nothing is stored under `sha256`. */
  get(sha256: string): Promise<Buffer | null>;
  /**
   * Removes the bytes stored under `sha256` (nothing when there are none). Only for bytes nothing references (the
   * caller checks, in `db`): the `db` store deletes the row through `db` (the caller's transaction), the `fs` store
   * unlinks the file.
   */
  remove(sha256: string, db: Kysely<Database>): Promise<void>;
}

/** Lower-case hex SHA-256. */
export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Guards every store against path tricks and typos: exactly 64 lower-case hex characters. */
export function isSha256(value: string): boolean {
  return /^[0-9a-f]{64}$/.test(value);
}
