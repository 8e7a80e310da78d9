import type { Kysely } from 'kysely';
import type { DbDialect } from '../../../platform/db/create-db.js';
import type { Database } from '../../../platform/db/database.js';
import type { AssistantImport } from '../assistant.tables.js';

/** SQL of the push (assistant_imports): claim (conditional update), release, purge. The insert: record-import.repo.ts. */

/**
 * The select of the link key's live, unconsumed imports (ids, oldest first, at most `limit`): what "pending" means,
 * for the socket's list and the poll's batch claim alike. `qc` is the database or a CTE's query creator.
 */
function pendingImportIds(
  qc: Pick<Kysely<Database>, 'selectFrom'>,
  tenantId: string,
  linkKey: string,
  now: number,
  limit: number,
) {
  return qc
    .selectFrom('assistant_imports')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('link_key', '=', linkKey)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit);
}

/** Ids of the link key's live, unconsumed imports, oldest first. */
export async function findPendingIds(
  db: Kysely<Database>,
  tenantId: string,
  linkKey: string,
  now: number,
  limit: number,
): Promise<string[]> {
  const rows = await pendingImportIds(db, tenantId, linkKey, now, limit).execute();
  return rows.map((r) => r.id);
}

/**
 * Claims one import for `by` by a conditional update (`consumed_at is null`, not expired): at most one claimer ever
 * gets the row back, on any node (PostgreSQL re-checks the condition on the row a concurrent claimer committed).
 */
export async function claimImport(
  db: Kysely<Database>,
  tenantId: string,
  id: string,
  now: number,
  by: string,
): Promise<AssistantImport | undefined> {
  return db
    .updateTable('assistant_imports')
    .set({ consumed_at: now, consumed_by: by })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', now)
    .returningAll()
    .executeTakeFirst();
}

/**
 * Claims every live, unconsumed import of the link key (at most `limit`, oldest first) in one statement.
 *
 * On PostgreSQL the rows are picked `FOR UPDATE SKIP LOCKED`: the statement never waits for a row another statement
 * holds (another poll's claim, the janitor) — that row is theirs to settle. Without it the update locked the rows in
 * its plan's order, and two polls, or a poll and a release, deadlocked (a 500). The pick is a materialized CTE so that
 * it runs exactly once (as a plain `in (subquery)` the planner may rescan it, and a rescan skips the rows this
 * statement already took and locks the next ones: more than `limit`), as in the jobs' claim (claimJobs).
 */
export async function claimPending(
  db: Kysely<Database>,
  dialect: DbDialect,
  tenantId: string,
  linkKey: string,
  now: number,
  by: string,
  limit: number,
): Promise<AssistantImport[]> {
  const rows = await db
    .with(
      (cte) => cte('pending').materialized(),
      (qc) => {
        const pending = pendingImportIds(qc, tenantId, linkKey, now, limit);
        return dialect === 'postgres' ? pending.forUpdate().skipLocked() : pending;
      },
    )
    .updateTable('assistant_imports')
    .set({ consumed_at: now, consumed_by: by })
    .where('tenant_id', '=', tenantId)
    .where('consumed_at', 'is', null)
    .where('id', 'in', (eb) => eb.selectFrom('pending').select('pending.id'))
    .returningAll()
    .execute();
  return rows.sort((a, b) => Number(a.created_at) - Number(b.created_at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Gives claims of `by` back (the send failed): the imports are pending again. Only `by`'s own claims. */
export async function releaseClaims(
  db: Kysely<Database>,
  tenantId: string,
  ids: readonly string[],
  by: string,
): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await db
    .updateTable('assistant_imports')
    .set({ consumed_at: null, consumed_by: null })
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', [...ids])
    .where('consumed_by', '=', by)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Deletes up to `limit` imports expired at `now` (consumed or not) of every tenant: the janitor. On PostgreSQL it
 * skips rows another statement holds (they are deleted next hour); picked once, as in {@link claimPending}.
 */
export async function deleteExpiredImports(
  db: Kysely<Database>,
  dialect: DbDialect,
  now: number,
  limit: number,
): Promise<number> {
  const result = await db
    .with(
      (cte) => cte('expired').materialized(),
      (qc) => {
        const expired = qc
          .selectFrom('assistant_imports')
          .select('id')
          .where('expires_at', '<=', now)
          .orderBy('expires_at')
          .limit(limit);
        return dialect === 'postgres' ? expired.forUpdate().skipLocked() : expired;
      },
    )
    .deleteFrom('assistant_imports')
    .where('id', 'in', (eb) => eb.selectFrom('expired').select('expired.id'))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
