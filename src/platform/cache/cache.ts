import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Signals } from '../signals/index.js';

/** What a module declares once per cache: its name (the signal topic is `cache.<name>`), time to live and size. */
export interface CacheSpec {
  readonly name: string;
  /** How long an entry is served without re-reading, by the runtime's Clock. Bounds staleness if a signal is lost. */
  readonly ttlMs: number;
  /** At most this many entries; the least recently used goes first. */
  readonly maxEntries: number;
}

/**
 * A keyed read-through cache of database rows, invalidated on every node at once (docs/architecture.md#caches). Only
 * found values are kept: `load` returning undefined is never cached, so an insert never has to invalidate.
 */
export interface Cache<V> {
  readonly spec: CacheSpec;
  /** The cached value of `key`, or `load()`'s (kept unless an invalidation arrived while it was loading). */
  get(key: string, load: () => Promise<V | undefined>): Promise<V | undefined>;
  /** Drops `key` here at once and on every other node (a signal); call after the write's commit. */
  invalidate(key: string): Promise<void>;
  /** Drops every entry here and on every other node. */
  invalidateAll(): Promise<void>;
  /** Entries held now (tests, metrics). */
  size(): number;
}

const ALL = '*';

const topicOf = (spec: CacheSpec) => `cache.${spec.name}`;

/** Tells every node to drop `key` (`'*'`: everything) of the cache `spec`; a failure is logged (the write is committed). */
export async function publishInvalidation(
  deps: { signals: Signals; logger: Logger },
  spec: CacheSpec,
  key: string,
): Promise<void> {
  try {
    await deps.signals.publish(topicOf(spec), key);
  } catch (err) {
    // Other nodes serve the old value until their TTL ends.
    deps.logger.error({ err, cache: spec.name }, 'could not signal a cache invalidation to other nodes');
  }
}

/**
 * The generation counter: every invalidation that reaches this process (its own, another node's, a listener
 * reconnection) bumps it, and a load stores its value only if the generation did not move while it ran — so a load
 * that read the old row just before a write committed cannot put it back after the invalidation. While the
 * listener is down nothing is stored (another node's invalidation could be missed), and a (re)connection clears all.
 */
export function createCache<V>(spec: CacheSpec, deps: { clock: Clock; signals: Signals; logger: Logger }): Cache<V> {
  const { clock, signals, logger } = deps;
  const entries = new Map<string, { value: V; expiresAt: number }>();
  let generation = 0;

  const dropLocally = (key: string) => {
    generation += 1;
    if (key === ALL) entries.clear();
    else entries.delete(key);
  };
  signals.subscribe(topicOf(spec), '*', (signal) => dropLocally(signal.key));
  signals.onConnect(() => dropLocally(ALL));

  const announce = async (key: string) => {
    dropLocally(key);
    await publishInvalidation({ signals, logger }, spec, key);
  };

  return {
    spec,
    get: async (key, load) => {
      const hit = entries.get(key);
      if (hit) {
        if (hit.expiresAt > clock.now()) {
          entries.delete(key);
          entries.set(key, hit);
          return hit.value;
        }
        entries.delete(key);
      }
      const started = generation;
      const value = await load();
      if (value !== undefined && generation === started && signals.isListening()) {
        entries.set(key, { value, expiresAt: clock.now() + spec.ttlMs });
        if (entries.size > spec.maxEntries) entries.delete(entries.keys().next().value as string);
      }
      return value;
    },
    invalidate: (key) => announce(key),
    invalidateAll: () => announce(ALL),
    size: () => entries.size,
  };
}
