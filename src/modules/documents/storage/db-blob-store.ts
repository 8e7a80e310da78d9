import type { Kysely } from 'kysely';
import type { Clock } from '../../../platform/clock.js';
import type { Database } from '../../../platform/db/database.js';
import { type BlobStore, isSha256, sha256Hex } from './blob-store.js';

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
      await db
        .insertInto('document_blobs')
        .values({ sha256, size: bytes.length, bytes, created_at: clock.now() })
        .onConflict((oc) => oc.column('sha256').doNothing())
        .execute();
      return { sha256, size: bytes.length };
    },
    async get(sha256) {
      if (!isSha256(sha256)) return null;
      const row = await db.selectFrom('document_blobs').select('bytes').where('sha256', '=', sha256).executeTakeFirst();
      return row ? Buffer.from(row.bytes) : null;
    },
  };
}
