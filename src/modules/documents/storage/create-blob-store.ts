import path from 'node:path';
import { systemClock } from '../../../platform/clock.js';
import type { Config } from '../../../platform/config/load-config.js';
import type { Db } from '../../../platform/db/create-db.js';
import type { BlobStore } from './blob-store.js';
import { createDbBlobStore } from './db-blob-store.js';
import { createFsBlobStore } from './fs-blob-store.js';

/** The BlobStore chosen by config BLOB_STORE: `fs` (default, `<DATA_DIR>/blobs`) or `db` (the database). */
export function createBlobStore(config: Config, db: Db): BlobStore {
  const kind = config.documents.blobStore;
  switch (kind) {
    case 'fs':
      return createFsBlobStore(path.join(config.dataDir, 'blobs'));
    case 'db':
      return createDbBlobStore(db.kysely, systemClock);
    default: {
      const never: never = kind;
      throw new Error(`unknown blob store ${String(never)}`);
    }
  }
}
