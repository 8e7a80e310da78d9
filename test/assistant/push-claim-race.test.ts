import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  claimImport,
  claimPending,
  deleteExpiredImports,
  releaseClaims,
} from '../../src/modules/assistant/push/push.repo.js';
import { buildTestApp, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { insertEvent, record } from './push-kit.js';

/**
 * The push's claims under contention, at the statement level: batch claims (long-polls), single claims (sockets),
 * releases (a poll or socket that could not hand its imports over) and the janitor, all at once on the same rows. On
 * PostgreSQL the batch claim and the janitor once locked their rows in plan order and deadlocked each other (a 500 on
 * a long-poll); every import must still be claimed exactly once, and no statement may fail.
 */
for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: assistant push claims racing`, () => {
    let t: TestApp;
    let a: SeededTenant;
    beforeAll(async () => {
      t = await buildTestApp(dialect);
      a = await seedTenant(t, 'claimRace');
    });
    afterAll(async () => {
      await t?.close();
    });

    it('batch and single claims, releases and the janitor at once: no statement fails, each import is claimed once', {
      timeout: 120_000,
    }, async () => {
      const db = t.runtime.deps.db.kysely;
      for (let round = 0; round < 6; round++) {
        const linkKey = `race-${round}`;
        const event = await insertEvent(t, a.tenantId, linkKey);
        const ids = await Promise.all(Array.from({ length: 120 }, (_, i) => record(t, event, i + 1)));
        // Expired rows of another link key, for the janitor to delete meanwhile (some of them claimed).
        const old = await insertEvent(t, a.tenantId, `${linkKey}-old`);
        const oldIds = await Promise.all(Array.from({ length: 60 }, (_, i) => record(t, old, i + 1)));
        await db.updateTable('assistant_imports').set({ expires_at: 1 }).where('id', 'in', oldIds).execute();
        await db
          .updateTable('assistant_imports')
          .set({ consumed_at: 1, consumed_by: 'poll:gone' })
          .where('id', 'in', oldIds.slice(0, 30))
          .execute();

        const claimedBy = new Map<string, string[]>();
        const note = (by: string, got: string[]) => {
          for (const id of got) claimedBy.set(id, [...(claimedBy.get(id) ?? []), by]);
        };
        const now = t.clock.now();
        const batchClaimer = async (n: number) => {
          const by = `poll:${round}:${n}`;
          for (let i = 0; i < 12; i++) {
            const rows = await claimPending(db, t.runtime.deps.db.dialect, a.tenantId, linkKey, now, by, 7);
            // Never more than asked for (a rescanned SKIP LOCKED pick would take the next rows too).
            expect(rows.length).toBeLessThanOrEqual(7);
            // Half the time the poll's client is gone: the claims are released, and claimed again by someone.
            if (i % 2 === 1 && rows.length > 0) {
              await releaseClaims(
                db,
                a.tenantId,
                rows.map((r) => r.id),
                by,
              );
            } else
              note(
                by,
                rows.map((r) => r.id),
              );
          }
        };
        const singleClaimer = async (n: number) => {
          const by = `socket:${round}:${n}`;
          for (const id of [...ids].reverse()) {
            const row = await claimImport(db, a.tenantId, id, now, by);
            if (row) note(by, [row.id]);
          }
        };
        const janitor = async () => {
          for (let i = 0; i < 10; i++) {
            expect(await deleteExpiredImports(db, t.runtime.deps.db.dialect, now, 7)).toBeLessThanOrEqual(7);
          }
        };
        await Promise.all([...[0, 1, 2, 3, 4, 5].map(batchClaimer), singleClaimer(0), singleClaimer(1), janitor()]);
        // What the released claims left pending, taken by one last claimer.
        note(
          'poll:last',
          (await claimPending(db, t.runtime.deps.db.dialect, a.tenantId, linkKey, now, 'poll:last', 500)).map(
            (r) => r.id,
          ),
        );

        expect([...claimedBy.keys()].sort()).toEqual([...ids].sort());
        expect([...claimedBy.values()].filter((by) => by.length !== 1)).toEqual([]);
        const rows = await db
          .selectFrom('assistant_imports')
          .select(['id', 'consumed_by'])
          .where('id', 'in', ids)
          .execute();
        expect(rows.map((r) => [r.id, r.consumed_by]).sort()).toEqual(
          [...claimedBy].map(([id, by]) => [id, by[0]]).sort(),
        );
        const leftOld = await db.selectFrom('assistant_imports').select('id').where('id', 'in', oldIds).execute();
        expect(leftOld).toEqual([]);
      }
    });
  });
}
