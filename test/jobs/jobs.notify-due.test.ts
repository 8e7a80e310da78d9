/**
 * PostgreSQL: the `jobs.queued` NOTIFY (migrations 0025, 0036) is sent only for a job that is due. A job queued or
 * set to `retry` with its `run_at` in the future wakes no worker (its own process's worker timer wakes for it: see
 * jobs.wake-at.test.ts). The test listens on the signals' channel with its own connection; a marker notification sent
 * after the writes fences them (notifications of committed transactions arrive in commit order), so "nothing was
 * sent" is checked without waiting on a clock.
 */
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueJob } from '../../src/platform/jobs/index.js';
import { createTestDb, TEST_DIALECTS } from '../helpers/test-db.js';
import { registryWith } from './jobs-test-kit.js';

const postgres = TEST_DIALECTS.find((d) => d.name === 'postgres');
const CHANNEL = 'openfapiao_signals';

describe.skipIf(!postgres || postgres.skip)('postgres: jobs notify workers only when due', () => {
  let t: Awaited<ReturnType<typeof createTestDb>>;
  let listener: pg.Client;
  const heard: string[] = [];
  let markers = 0;
  const waiting = new Map<string, () => void>();
  const registry = registryWith(async () => {});

  beforeAll(async () => {
    t = await createTestDb(postgres as NonNullable<typeof postgres>);
    if (t.dbConfig.driver !== 'postgres') throw new Error('postgres expected');
    listener = new pg.Client({ connectionString: t.dbConfig.url });
    await listener.connect();
    listener.on('notification', (n) => {
      const payload = n.payload ?? '';
      if (payload.startsWith('marker:')) waiting.get(payload)?.();
      else heard.push(JSON.parse(payload).t);
    });
    await listener.query(`listen ${CHANNEL}`);
  });
  afterAll(async () => {
    await listener?.end();
    await t?.cleanup();
  });

  /** The notifications heard on the channel from the writes of `fn` (committed before the marker). */
  async function notificationsOf(fn: () => Promise<unknown>): Promise<string[]> {
    heard.length = 0;
    await fn();
    const marker = `marker:${++markers}`;
    const arrived = new Promise<void>((resolve) => waiting.set(marker, resolve));
    await sql`select pg_notify(${CHANNEL}, ${marker})`.execute(t.db.kysely);
    await arrived;
    return [...heard];
  }

  const now = () => Date.now();

  it('queuing a job due now notifies (the listener works)', async () => {
    expect(
      await notificationsOf(() => enqueueJob(t.db.kysely, registry, 'test/do-work', { label: 'now' }, { now: now() })),
    ).toEqual(['jobs.queued']);
  });

  it('queuing a job due in a minute sends no NOTIFY', async () => {
    expect(
      await notificationsOf(() =>
        enqueueJob(t.db.kysely, registry, 'test/do-work', { label: 'later' }, { now: now(), runAt: now() + 60_000 }),
      ),
    ).toEqual([]);
  });

  it('a retry with backoff sends no NOTIFY; a job made due (retry now) does', async () => {
    const { id } = await enqueueJob(
      t.db.kysely,
      registry,
      'test/do-work',
      { label: 'retried' },
      { now: now(), runAt: now() + 60_000 },
    );
    await t.db.kysely.updateTable('jobs').set({ state: 'running' }).where('id', '=', id).execute();
    expect(
      await notificationsOf(() =>
        t.db.kysely
          .updateTable('jobs')
          .set({ state: 'retry', run_at: now() + 30_000 })
          .where('id', '=', id)
          .execute(),
      ),
    ).toEqual([]);
    await t.db.kysely.updateTable('jobs').set({ state: 'running' }).where('id', '=', id).execute();
    expect(
      await notificationsOf(() =>
        t.db.kysely.updateTable('jobs').set({ state: 'queued', run_at: now() }).where('id', '=', id).execute(),
      ),
    ).toEqual(['jobs.queued']);
  });
});
