/**
 * The verification stage of the collection pipeline (查验, #14 §3): `verifyReceivedInvoice` (the pool's processing
 * task calls it), the verification tasks (on demand, deferred by provider limits, nightly), the history, and the
 * re-verify route. Internal to the collection module; its front door (../index.ts) re-exports what others use.
 */
import type { Kysely } from 'kysely';
import { toIsoCst } from '../../../platform/clock.js';
import type { Database } from '../../../platform/db/database.js';
import type { Deps } from '../../../platform/deps.js';
import type { TaskPayloadsOf, TaskRegistry } from '../../../platform/jobs/index.js';
import { registerVerificationHistoryLoader, type VerificationHistoryEntry } from '../received-view.js';
import { findVerifications } from './verification.repo.js';
import { VERIFICATION_TASKS } from './verification.tasks.js';

export { receivedVerificationRoutes } from './verification.routes.js';
export type { ReceivedVerificationTables } from './verification.tables.js';
export {
  NIGHTLY_QUOTA_SHARE,
  NIGHTLY_WINDOW,
  queueNightlyReverification,
  scheduleNightlyReverification,
} from './verification.tasks.js';
export { REVERIFY_NIGHTLY_TASK, VERIFY_RECEIVED_TASK } from './verification-task-ids.js';
export {
  enqueueVerification,
  requestVerification,
  type VerifyOutcome,
  type VerifyReason,
  type VerifyReceivedInput,
  type VerifyReceivedOptions,
  verificationQueryOf,
  verifyReceivedInvoice,
} from './verify-received.js';

declare module '../../../platform/jobs/index.js' {
  interface TaskPayloads extends TaskPayloadsOf<typeof VERIFICATION_TASKS> {}
}

/** Each item's verification history, newest first (the view's `verification.history`). */
export async function loadVerificationHistories(
  db: Kysely<Database>,
  tenantId: string,
  ids: readonly string[],
): Promise<ReadonlyMap<string, readonly VerificationHistoryEntry[]>> {
  const out = new Map<string, VerificationHistoryEntry[]>();
  for (const row of await findVerifications(db, tenantId, ids)) {
    const list = out.get(row.received_id) ?? [];
    list.push({
      at: toIsoCst(Number(row.at)),
      status: row.status,
      message: row.message,
      ...(row.mismatch_field ? { mismatchField: row.mismatch_field } : {}),
      channel: row.channel,
    });
    out.set(row.received_id, list);
  }
  return out;
}

/** Registers the verification tasks and puts the history into the received-invoice view. Every process runs it. */
export function registerVerificationTasks(registry: TaskRegistry, deps: Deps): void {
  registry.register(deps, VERIFICATION_TASKS);
  registerVerificationHistoryLoader(loadVerificationHistories);
}
