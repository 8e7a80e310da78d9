import type { Kysely } from 'kysely';
import { Type } from 'typebox';
import type { Clock } from '../../../platform/clock.js';
import type { Database } from '../../../platform/db/database.js';
import type { Deps } from '../../../platform/deps.js';
import {
  DEFAULT_TASK_ATTEMPTS,
  defineTask,
  type TaskPayloadsOf,
  type TaskRegistry,
} from '../../../platform/jobs/index.js';
import type { JobsRuntime } from '../../../platform/jobs-runtime.js';
import { deleteExpiredImports } from './push.repo.js';

export const PURGE_IMPORTS_TASK = 'assistant/purge-imports';

/** The janitor runs once per window of this length (at its end). */
export const PURGE_WINDOW_MS = 60 * 60 * 1000;

const PURGE_BATCH = 500;

/**
 * The janitor: deletes expired imports (consumed or not) in short batches, then schedules the next window's run.
 * One job per window (the job key names it); each worker schedules the current window's at start
 * ({@link scheduleImportsJanitor}), so a lost chain is mended by the next start.
 */
export const purgeImportsTask = defineTask({
  id: PURGE_IMPORTS_TASK,
  payload: Type.Object({ window: Type.Integer({ minimum: 0 }) }),
  maxAttempts: DEFAULT_TASK_ATTEMPTS,
  jobKey: (payload) => String(payload.window),
  handler: async (deps: Deps, payload) => {
    const now = deps.clock.now();
    while ((await deleteExpiredImports(deps.db.kysely, deps.db.dialect, now, PURGE_BATCH)) >= PURGE_BATCH);
    await scheduleImportsJanitor(
      { db: deps.db.kysely, clock: deps.clock, jobs: deps.jobs },
      Math.max(payload.window + 1, Math.floor(now / PURGE_WINDOW_MS)),
    );
  },
});

/** Makes sure the janitor runs at the end of the current window (or of `window`); idempotent per window. */
export async function scheduleImportsJanitor(
  ctx: { readonly db: Kysely<Database>; readonly clock: Clock; readonly jobs: JobsRuntime },
  window = Math.floor(ctx.clock.now() / PURGE_WINDOW_MS),
): Promise<void> {
  await ctx.jobs.enqueue(ctx.db, PURGE_IMPORTS_TASK, { window }, { runAt: (window + 1) * PURGE_WINDOW_MS });
}

const PUSH_TASKS = [purgeImportsTask] as const;

declare module '../../../platform/jobs/index.js' {
  interface TaskPayloads extends TaskPayloadsOf<typeof PUSH_TASKS> {}
}

export function registerPushTasks(registry: TaskRegistry, deps: Deps): void {
  registry.register(deps, PUSH_TASKS);
}
