/** The sandbox's settings cache: served within its TTL, re-read after it, dropped at once by a write. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateSettings } from '../../src/modules/channels/sandbox/settings.repo.js';
import { createSettingsCache } from '../../src/modules/channels/sandbox/settings-cache.js';
import { createTestDb, TEST_DIALECTS } from '../helpers/test-db.js';
import { newTenant } from './sandbox-kit.js';

const sqlite = TEST_DIALECTS.find((d) => d.name === 'sqlite') as (typeof TEST_DIALECTS)[number];

describe('sandbox settings cache', () => {
  let created: Awaited<ReturnType<typeof createTestDb>>;
  beforeAll(async () => {
    created = await createTestDb(sqlite);
  });
  afterAll(async () => created?.cleanup());

  it('serves a copy for the TTL, then reads again; invalidate takes effect at once', async () => {
    const db = created.db.kysely;
    let now = 0;
    const cache = createSettingsCache(5_000, () => now);
    const tenantId = newTenant();
    expect((await cache.get(db, tenantId)).latencyMs).toBe(0);
    // Another process changes the settings: this one keeps its copy until the TTL passes.
    await updateSettings(db, tenantId, { latencyMs: 10 }, 1);
    now = 4_999;
    expect((await cache.get(db, tenantId)).latencyMs).toBe(0);
    now = 5_001;
    expect((await cache.get(db, tenantId)).latencyMs).toBe(10);
    // A change through this process invalidates: seen at once.
    await updateSettings(db, tenantId, { latencyMs: 20 }, 2);
    cache.invalidate(tenantId);
    expect((await cache.get(db, tenantId)).latencyMs).toBe(20);
  });

  it('does not keep a copy read before an invalidation that happened while it was read', async () => {
    const db = created.db.kysely;
    const cache = createSettingsCache(5_000, () => 0);
    const tenantId = newTenant();
    const reading = cache.get(db, tenantId);
    cache.invalidate(tenantId); // while the read is in flight
    expect((await reading).latencyMs).toBe(0);
    await updateSettings(db, tenantId, { latencyMs: 30 }, 1); // not invalidated: only a fresh read sees it
    expect((await cache.get(db, tenantId)).latencyMs).toBe(30);
  });
});
