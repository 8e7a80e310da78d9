import { type CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/platform/db/create-db.js';
import { claimJobsQuery } from '../../src/platform/jobs/jobs.repo.js';
import { createTestDb, TEST_DIALECTS } from '../helpers/test-db.js';

const NOW = Date.parse('2025-03-01T00:00:00Z');

/** EXPLAIN of a compiled statement, as one string (SQLite: `explain query plan`; PostgreSQL: `explain`). */
async function plan(db: Db, query: CompiledQuery): Promise<string> {
  const prefix = db.dialect === 'sqlite' ? 'explain query plan ' : 'explain ';
  const result = await db.kysely.executeQuery({ ...query, sql: prefix + query.sql });
  return result.rows.map((row) => Object.values(row as object).join(' ')).join('\n');
}

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: the claim reads the partial index of waiting jobs`, () => {
    let t: Awaited<ReturnType<typeof createTestDb>>;
    beforeAll(async () => {
      t = await createTestDb(dialect);
      // Mostly finished jobs, as in a real queue: the claim must not read (or sort) them.
      const rows = Array.from({ length: 3000 }, (_, i) => ({
        id: `job_${String(i).padStart(8, '0')}`,
        tenant_id: null,
        task: 'test/do-work',
        payload: '{}',
        state: i < 2990 ? ('succeeded' as const) : ('queued' as const),
        job_key: null,
        priority: 0,
        run_at: NOW - 3000 + i,
        attempts: 0,
        max_attempts: 5,
        last_error: null,
        locked_by: null,
        locked_until: null,
        created_at: NOW,
        updated_at: NOW,
        finished_at: null,
      }));
      for (let i = 0; i < rows.length; i += 500) {
        await t.db.kysely
          .insertInto('jobs')
          .values(rows.slice(i, i + 500))
          .execute();
      }
      await sql`analyze`.execute(t.db.kysely);
    });
    afterAll(async () => {
      await t?.cleanup();
    });

    it('walks jobs_due_idx in claim order instead of sorting every waiting job', async () => {
      const query = claimJobsQuery(t.db.kysely, {
        dialect: t.db.dialect,
        workerId: 'w',
        now: NOW,
        leaseMs: 1000,
        limit: 4,
      }).compile();
      const text = await plan(t.db, query);
      expect(text).toContain('jobs_due_idx');
      if (t.db.dialect === 'sqlite') expect(text).not.toContain('TEMP B-TREE');
      else expect(text).not.toMatch(/Sort|Seq Scan on jobs/);
    });
  });
}
