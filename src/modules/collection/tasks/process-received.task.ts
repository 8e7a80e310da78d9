import { Type } from 'typebox';
import type { Deps } from '../../../platform/deps.js';
import { DEFAULT_TASK_ATTEMPTS, defineTask } from '../../../platform/jobs/index.js';
import { recomputeCompliance } from '../compliance/recompute.js';
import { refreshDuplicates } from '../intake.js';
import { findReceivedInvoice } from '../received.repo.js';
import { publishReceivedEvent } from '../received-events.js';
import { enqueueVerification } from '../verification/verify-received.js';
import { PROCESS_RECEIVED_TASK } from './task-ids.js';

/**
 * `collection/process-received`: the pipeline after intake, one job per new item (enqueued in the intake
 * transaction): duplicate marking (settled again here, after concurrent intakes of the same invoice have
 * committed), then `received.created`, and the item's verification (查验) queued as its own job in the same
 * transaction (collection/verify-received: the channel is called there, under the provider's limits; compliance is
 * recomputed after its result). Idempotent: the event and the verification job are keyed per item.
 */
export const processReceivedTask = defineTask({
  id: PROCESS_RECEIVED_TASK,
  payload: Type.Object({ tenantId: Type.String(), receivedId: Type.String() }),
  maxAttempts: DEFAULT_TASK_ATTEMPTS,
  jobKey: (payload) => payload.receivedId,
  handler: async (deps: Deps, payload, helpers) => {
    const db = deps.db.kysely;
    const item = await findReceivedInvoice(db, payload.tenantId, payload.receivedId);
    if (!item) return;
    await db.transaction().execute(async (trx) => {
      const relinked = await refreshDuplicates(trx, item, deps.clock.now());
      await recomputeCompliance(
        { ...deps, db: { ...deps.db, kysely: trx } },
        { tenantId: item.tenant_id, receivedIds: [...new Set([item.id, ...relinked])] },
      );
      await publishReceivedEvent(deps, trx, 'received.created', item);
      await enqueueVerification(deps, trx, item, 'intake');
      await helpers.complete(trx);
    });
  },
});
