import { Type } from 'typebox';
import type { Deps } from '../../../platform/deps.js';
import { DEFAULT_TASK_ATTEMPTS, defineTask } from '../../../platform/jobs/index.js';
import { sweepOrphanBlobs } from '../orphan-blobs.js';
import { SWEEP_ORPHAN_BLOBS_TASK } from './task-ids.js';

/** The sweep runs once per window of this length (at its end). */
export const ORPHAN_SWEEP_WINDOW_MS = 60 * 60 * 1000;

/**
 * `collection/sweep-orphan-blobs`: removes the blobs intake stored and never recorded (orphan-blobs.ts), then
 * schedules the next window's run. One job per window (the job key names it); each worker schedules the current
 * window's at start ({@link scheduleOrphanBlobSweep}), so a lost chain is mended by the next start.
 */
export const sweepOrphanBlobsTask = defineTask({
  id: SWEEP_ORPHAN_BLOBS_TASK,
  payload: Type.Object({ window: Type.Integer({ minimum: 0 }) }),
  maxAttempts: DEFAULT_TASK_ATTEMPTS,
  jobKey: (payload) => String(payload.window),
  handler: async (deps: Deps, payload) => {
    await sweepOrphanBlobs(deps);
    await scheduleOrphanBlobSweep(
      deps,
      Math.max(payload.window + 1, Math.floor(deps.clock.now() / ORPHAN_SWEEP_WINDOW_MS)),
    );
  },
});

/** Makes sure the sweep runs at the end of the current window (or of `window`); idempotent per window. */
export async function scheduleOrphanBlobSweep(
  deps: Pick<Deps, 'db' | 'clock' | 'jobs'>,
  window = Math.floor(deps.clock.now() / ORPHAN_SWEEP_WINDOW_MS),
): Promise<void> {
  await deps.jobs.enqueue(
    deps.db.kysely,
    SWEEP_ORPHAN_BLOBS_TASK,
    { window },
    { runAt: (window + 1) * ORPHAN_SWEEP_WINDOW_MS },
  );
}
