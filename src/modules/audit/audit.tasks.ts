import type { Kysely } from 'kysely';
import { Type } from 'typebox';
import type { Clock } from '../../platform/clock.js';
import type { Database } from '../../platform/db/database.js';
import type { Deps } from '../../platform/deps.js';
import {
  DEFAULT_TASK_ATTEMPTS,
  defineTask,
  type TaskPayloadsOf,
  type TaskRegistry,
} from '../../platform/jobs/index.js';
import type { JobsRuntime } from '../../platform/jobs-runtime.js';
import { SEAL_BATCH, sealAllChains } from './seal.js';

/** Entries are chained at the end of the window they were appended in: one sealer run per window of activity. */
export const SEAL_INTERVAL_MS = 5000;

/**
 * Chains every tenant's new audit entries (audit/seal-chains). Scheduled for the end of a window by the changes
 * that append entries (one job per window: the job key names it) and once by each worker at start; an idle
 * installation has no sealer job at all. A run that chained a full batch schedules the next window's.
 */
export const sealChainsTask = defineTask({
  id: 'audit/seal-chains',
  payload: Type.Object({ window: Type.Integer({ minimum: 0 }) }),
  maxAttempts: DEFAULT_TASK_ATTEMPTS,
  jobKey: (payload) => String(payload.window),
  handler: async (deps: Deps, payload) => {
    const sealed = await sealAllChains({ db: deps.db.kysely });
    if (sealed >= SEAL_BATCH) await scheduleAuditSealer({ ...deps, db: deps.db.kysely }, payload.window + 1);
  },
});

const AUDIT_TASKS = [sealChainsTask] as const;

declare module '../../platform/jobs/index.js' {
  interface TaskPayloads extends TaskPayloadsOf<typeof AUDIT_TASKS> {}
}

export function registerAuditTasks(registry: TaskRegistry, deps: Deps): void {
  registry.register(deps, AUDIT_TASKS);
}

/**
 * Per process (its jobs runtime): the latest window whose sealer job this process has seen committed — by meeting its
 * key. PostgreSQL's `on conflict` waits for the inserting transaction, and SQLite has one writer, so a key met is a
 * committed job.
 */
const sealerSeen = new WeakMap<JobsRuntime, number>();

/**
 * Makes sure the sealer runs at the end of the current window (or of `window`), in the caller's transaction when
 * `db` is one: the job commits with the entries it will chain. A later call in the same window meets the existing
 * job key once; after that this process knows the job is there and sends nothing (an audited request at hundreds per
 * second would otherwise pay two statements each for a job that exists).
 */
export async function scheduleAuditSealer(
  ctx: { readonly db: Kysely<Database>; readonly clock: Clock; readonly jobs: JobsRuntime },
  window = Math.floor(ctx.clock.now() / SEAL_INTERVAL_MS),
): Promise<void> {
  if (sealerSeen.get(ctx.jobs) === window) return;
  const { created } = await ctx.jobs.enqueue(
    ctx.db,
    'audit/seal-chains',
    { window },
    { runAt: (window + 1) * SEAL_INTERVAL_MS },
  );
  if (!created) sealerSeen.set(ctx.jobs, window);
}

/**
 * True when {@link scheduleAuditSealer} would write nothing at `now`: the sealer job of `now`'s window is known to be
 * scheduled (so a change stamped `now` may append its entry without scheduling, e.g. in a synchronous SQLite
 * transaction).
 */
export function auditSealerScheduled(jobs: JobsRuntime, now: number): boolean {
  return sealerSeen.get(jobs) === Math.floor(now / SEAL_INTERVAL_MS);
}

/**
 * {@link scheduleAuditSealer} as a data-modifying CTE of the caller's statement, once per row of the CTE `after`
 * (PostgreSQL only): for a change that inserts its entry with `auditInsertAfter` in the same statement.
 */
export function auditSealerAfter(ctx: { readonly clock: Clock; readonly jobs: JobsRuntime }, after: string) {
  const window = Math.floor(ctx.clock.now() / SEAL_INTERVAL_MS);
  return ctx.jobs.enqueueAfter(after, 'audit/seal-chains', { window }, { runAt: (window + 1) * SEAL_INTERVAL_MS });
}
