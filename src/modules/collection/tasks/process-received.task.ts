import { Type } from 'typebox';
import type { Deps } from '../../../platform/deps.js';
import { DEFAULT_TASK_ATTEMPTS, defineTask } from '../../../platform/jobs/index.js';
import { recomputeCompliance } from '../compliance/recompute.js';
import { refreshDuplicates } from '../intake.js';
import { findReceivedInvoice } from '../received.repo.js';
import { publishReceivedEvent } from '../received-events.js';
import { PROCESS_RECEIVED_TASK } from './task-ids.js';

/**
 * `collection/process-received`: the pipeline after intake, one job per new item (enqueued in the intake
 * transaction): duplicate marking (settled again here, after concurrent intakes of the same invoice have
 * committed), then `received.created`. Verification (查验) and compliance join here as their stages land; until
 * then the item stays `pending` on both. Idempotent: the event is keyed per item.
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
      await refreshDuplicates(trx, item, deps.clock.now());
      await recomputeCompliance(
        { ...deps, db: { ...deps.db, kysely: trx } },
        { tenantId: item.tenant_id, receivedIds: [item.id] },
      );
      await publishReceivedEvent(deps, trx, 'received.created', item);
      await helpers.complete(trx);
    });
  },
});
