import { Type } from 'typebox';
import type { Deps } from '../../../platform/deps.js';
import { EventTaskPayload } from '../../../platform/events.js';
import {
  DEFAULT_TASK_ATTEMPTS,
  defineTask,
  type TaskPayloadsOf,
  type TaskRegistry,
} from '../../../platform/jobs/index.js';
import { findItemIdsForRules } from './compliance.repo.js';
import { recomputeCompliance } from './recompute.js';
import { RECOMPUTE_BATCH, RECOMPUTE_RULES_TASK } from './recompute-task-id.js';

/**
 * After a rules change (enqueued in its transaction): recomputes the compliance of the live items the changed scope
 * applies to, {@link RECOMPUTE_BATCH} per job, the rest in a follow-up job after the last id. Idempotent.
 */
export const recomputeRulesTask = defineTask({
  id: RECOMPUTE_RULES_TASK,
  payload: Type.Object({
    tenantId: Type.String(),
    buyerOrgId: Type.Union([Type.String(), Type.Null()]),
    afterId: Type.Union([Type.String(), Type.Null()]),
  }),
  maxAttempts: DEFAULT_TASK_ATTEMPTS,
  handler: async (deps: Deps, payload) => {
    const { tenantId, buyerOrgId } = payload;
    const ids = await findItemIdsForRules(deps.db.kysely, tenantId, buyerOrgId, payload.afterId, RECOMPUTE_BATCH);
    await recomputeCompliance(deps, { tenantId, receivedIds: ids });
    const last = ids.at(-1);
    if (ids.length === RECOMPUTE_BATCH && last !== undefined) {
      await deps.jobs.enqueue(
        deps.db.kysely,
        RECOMPUTE_RULES_TASK,
        { tenantId, buyerOrgId, afterId: last },
        { tenantId },
      );
      deps.jobs.notify();
    }
  },
});

/**
 * After a verification result (`received.verified`, which a `received.changed` always comes with): the item's compliance again (the rule
 * 查验结果为正常 depends on it). The verification stage may also call recomputeCompliance itself: it is idempotent.
 */
export const recomputeOnEventTask = defineTask({
  id: 'collection/compliance-on-event',
  payload: EventTaskPayload,
  maxAttempts: DEFAULT_TASK_ATTEMPTS,
  jobKey: (payload) => payload.event.id,
  handler: async (deps: Deps, payload) => {
    const { tenantId, subjectId } = payload.event;
    await recomputeCompliance(deps, { tenantId, receivedIds: [subjectId] });
  },
});

const COMPLIANCE_TASKS = [recomputeRulesTask, recomputeOnEventTask] as const;

declare module '../../../platform/jobs/index.js' {
  interface TaskPayloads extends TaskPayloadsOf<typeof COMPLIANCE_TASKS> {}
}

/** Compliance's background work: recomputing items after a rules change. */
export function registerComplianceTasks(registry: TaskRegistry, deps: Deps): void {
  registry.register(deps, COMPLIANCE_TASKS);
  // `received.changed` is always published with a `received.verified` of the same result: one recompute.
  deps.events.subscribe(['received.verified'], recomputeOnEventTask.id);
}
