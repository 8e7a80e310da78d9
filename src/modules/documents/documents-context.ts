import type { Deps } from '../../platform/deps.js';
import { loadSigningKey } from './signing-key.js';
import type { BlobStore } from './storage/blob-store.js';
import { createBlobStore } from './storage/create-blob-store.js';

/** What the documents module keeps per runtime: its blob store and the link signing key. */
export interface DocumentsContext {
  readonly blobs: BlobStore;
  readonly signingKey: Buffer;
}

const contexts = new WeakMap<Deps, DocumentsContext>();

/**
 * The module's state for one runtime, created on first use (registerDocumentsTasks calls it while the runtime is
 * built, so the signing key file is read or generated at start-up, not on the first download).
 */
export function documentsContext(deps: Deps): DocumentsContext {
  let ctx = contexts.get(deps);
  if (!ctx) {
    ctx = { blobs: createBlobStore(deps.config, deps.db), signingKey: loadSigningKey(deps.config) };
    contexts.set(deps, ctx);
  }
  return ctx;
}
