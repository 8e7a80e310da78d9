import type { Deps } from '../../platform/deps.js';
import { type BlobStore, createBlobStore } from '../documents/index.js';

const blobStores = new WeakMap<Deps, BlobStore>();

/** The blob store received files live in (documents' store: content-addressed, `BLOB_STORE` fs or db). */
export function receivedBlobs(deps: Deps): BlobStore {
  let store = blobStores.get(deps);
  if (!store) {
    store = createBlobStore(deps.config, deps.db);
    blobStores.set(deps, store);
  }
  return store;
}
