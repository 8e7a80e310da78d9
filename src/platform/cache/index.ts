import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import type { Signals } from '../signals/index.js';
import { type Cache, type CacheSpec, createCache, publishInvalidation } from './cache.js';

export { type Cache, type CacheSpec, createCache } from './cache.js';

interface CacheHub {
  readonly deps: { clock: Clock; signals: Signals; logger: Logger };
  readonly caches: Map<string, Cache<unknown>>;
}

/**
 * Each runtime's caches, found from its database handle: use cases keep their `db`-first signatures and callers do
 * not change. A transaction is another handle, so reads through it go to the database (they must see the
 * transaction's own writes) — and an invalidation through it is refused (it must follow the commit).
 */
const hubs = new WeakMap<Kysely<Database>, CacheHub>();

/**
 * Invalidations asked for through a transaction opened by {@link invalidateAfterCommit}, by its handle: held until
 * the transaction committed, then sent through the runtime's handle (dropped when it rolled back). Keyed by the
 * handle itself, not by an AsyncLocalStorage: on Node 20 one AsyncLocalStorage turns on promise hooks for every
 * promise of the process (~3.5 % of an order push's CPU).
 */
const pendingInvalidations = new WeakMap<Transaction<Database>, { spec: CacheSpec; key: string }[]>();

/**
 * Opens a transaction on `db` and runs `work` in it so that `invalidateCached(trx, …)` with that transaction's handle
 * (or any use case handed it) is deferred until the transaction committed — then applied through `db`. A thrown
 * `work` (rollback) invalidates nothing.
 */
export async function invalidateAfterCommit<T>(
  db: Kysely<Database>,
  work: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  const pending: { spec: CacheSpec; key: string }[] = [];
  let handle: Transaction<Database> | undefined;
  let result: T;
  try {
    result = await db.transaction().execute((trx) => {
      handle = trx;
      pendingInvalidations.set(trx, pending);
      return work(trx);
    });
  } finally {
    // The handle outlives its transaction only in a closure: an invalidation through it from then on is refused
    // (it would wait for a commit that already happened), not held and lost.
    if (handle) pendingInvalidations.delete(handle);
  }
  for (const { spec, key } of pending) await invalidateCached(db, spec, key);
  return result;
}

/** Gives the runtime's database handle its caches (createRuntime). */
export function attachCaches(db: Kysely<Database>, deps: { clock: Clock; signals: Signals; logger: Logger }): void {
  hubs.set(db, { deps, caches: new Map() });
}

/** The cache `spec` of the runtime that owns `db`, or null (a transaction, or a handle without caches). */
export function cacheOf<V>(db: Kysely<Database>, spec: CacheSpec): Cache<V> | null {
  const hub = hubs.get(db);
  if (!hub) return null;
  let cache = hub.caches.get(spec.name) as Cache<V> | undefined;
  if (!cache) {
    cache = createCache<V>(spec, hub.deps);
    hub.caches.set(spec.name, cache as Cache<unknown>);
  }
  return cache;
}

/** `load()` through the cache `spec` of `db`'s runtime (straight to the database inside a transaction). */
export function readThrough<V>(
  db: Kysely<Database>,
  spec: CacheSpec,
  key: string,
  load: () => Promise<V | undefined>,
): Promise<V | undefined> {
  const cache = cacheOf<V>(db, spec);
  return cache ? cache.get(key, load) : load();
}

/** After a committed write: drops `key` (`'*'`: everything) of the cache `spec` on this node and every other one. */
export async function invalidateCached(db: Kysely<Database>, spec: CacheSpec, key: string): Promise<void> {
  if (db.isTransaction) {
    const pending = pendingInvalidations.get(db as Transaction<Database>);
    if (pending) {
      pending.push({ spec, key });
      return;
    }
    throw new Error(`cache ${spec.name}: invalidate after the transaction commits, with the database handle`);
  }
  const hub = hubs.get(db);
  if (!hub) return;
  const cache = hub.caches.get(spec.name);
  if (cache) await (key === '*' ? cache.invalidateAll() : cache.invalidate(key));
  // No cache of it here (a CLI command): only the other nodes need to hear it.
  else await publishInvalidation(hub.deps, spec, key);
}
