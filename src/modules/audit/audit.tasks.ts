import { Type } from 'typebox';
import type { Deps } from '../../platform/deps.js';
import {
  DEFAULT_TASK_ATTEMPTS,
  defineTask,
  type TaskPayloadsOf,
  type TaskRegistry,
} from '../../platform/jobs/index.js';
import { sealAllChains } from './seal.js';

/** The sealer runs once per window: entries are chained within about this long of their commit. */
export const SEAL_INTERVAL_MS = 30_000;

/**
 * Chains every tenant's new audit entries (audit/seal-chains), then schedules the next window's run. The job key
 * names the window, so the workers of several processes schedule one run per window between them; appends never
 * enqueue anything (they stay one insert).
 */
export const sealChainsTask = defineTask({
  id: 'audit/seal-chains',
  payload: Type.Object({ window: Type.Integer({ minimum: 0 }) }),
  maxAttempts: DEFAULT_TASK_ATTEMPTS,
  jobKey: (payload) => String(payload.window),
  handler: async (deps: Deps, payload) => {
    await sealAllChains({ db: deps.db.kysely });
    await scheduleAuditSealer(deps, payload.window + 1);
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
 * Makes sure the sealer runs: schedules its run for `window` (default: the next one) unless that run exists. The
 * worker calls it at start; each run schedules the next.
 */
export async function scheduleAuditSealer(
  deps: Pick<Deps, 'jobs' | 'clock' | 'db'>,
  window = Math.floor(deps.clock.now() / SEAL_INTERVAL_MS) + 1,
): Promise<void> {
  const next = Math.max(window, Math.floor(deps.clock.now() / SEAL_INTERVAL_MS) + 1);
  await deps.jobs.enqueue(deps.db.kysely, 'audit/seal-chains', { window: next }, { runAt: next * SEAL_INTERVAL_MS });
}
