import type { Kysely } from 'kysely';
import type { Clock } from '../../../platform/clock.js';
import type { Database } from '../../../platform/db/database.js';
import { type BlobStore, isSha256, sha256Hex } from './blob-store.js';
import { deleteBlobRow, findBlobBytes, insertBlobIfAbsent } from './blobs.repo.js';

/**
 * Blobs in the `document_blobs` table (BYTEA on PostgreSQL, BLOB on SQLite): every node of a multi-node
 * deployment sees the same files without a shared disk. Insert-or-ignore on the SHA-256 key.
 */
export function createDbBlobStore(db: Kysely<Database>, clock: Clock): BlobStore {
  return {
    kind: 'db',
    directory: null,
    async put(bytes) {
      const sha256 = sha256Hex(bytes);
      await insertBlobIfAbsent(db, { sha256, size: bytes.length, bytes, created_at: clock.now() });
      return { sha256, size: bytes.length };
    },
    async get(sha256) {
      if (!isSha256(sha256)) return null;
      const row = await findBlobBytes(db, sha256);
      return row ? Buffer.from(row.bytes) : null;
    },
    async remove(sha256, trx) {
      if (isSha256(sha256)) await deleteBlobRow(trx, sha256);
    },
  };
}
