/**
 * The tenants' sandbox settings, cached per channel instance: every channel call reads them, and they rarely change.
 * A change through this instance (`updateSettings`) takes effect at once (invalidated on write; a read that started
 * before the write does not put its older copy back). Another process's change takes effect here within
 * {@link SETTINGS_TTL_MS}: until the platform cache (cross-node invalidation) replaces this TTL.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/database.js';
import type { SandboxSettings } from './sandbox-settings.js';
import { loadSettings } from './settings.repo.js';

/** How long a cached copy serves before it is read again. */
export const SETTINGS_TTL_MS = 5_000;

/** Tenants kept at most; the oldest entry goes first. */
const MAX_TENANTS = 10_000;

export interface SettingsCache {
  get(db: Kysely<Database>, tenantId: string): Promise<SandboxSettings>;
  /** Forgets the tenant's copy; the next `get` reads the database. */
  invalidate(tenantId: string): void;
}

/** `now` is a monotonic millisecond source (not the business clock: a test's manual clock never moves). */
export function createSettingsCache(ttlMs = SETTINGS_TTL_MS, now = () => performance.now()): SettingsCache {
  const entries = new Map<string, { settings: SandboxSettings; until: number }>();
  const generations = new Map<string, number>();
  return {
    async get(db, tenantId) {
      const hit = entries.get(tenantId);
      if (hit && hit.until > now()) return hit.settings;
      const generation = generations.get(tenantId) ?? 0;
      const settings = await loadSettings(db, tenantId);
      if ((generations.get(tenantId) ?? 0) === generation) {
        entries.delete(tenantId);
        if (entries.size >= MAX_TENANTS) entries.delete(entries.keys().next().value as string);
        entries.set(tenantId, { settings, until: now() + ttlMs });
      }
      return settings;
    },
    invalidate(tenantId) {
      entries.delete(tenantId);
      generations.set(tenantId, (generations.get(tenantId) ?? 0) + 1);
      if (generations.size > MAX_TENANTS) generations.delete(generations.keys().next().value as string);
    },
  };
}
