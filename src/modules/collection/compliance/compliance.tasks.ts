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
import { recomputeAfterRemoval, recomputeCompliance } from './recompute.js';
import { RECOMPUTE_AFTER_REMOVAL_TASK, RECOMPUTE_BATCH, RECOMPUTE_RULES_TASK } from './recompute-task-id.js';

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
 * Formerly subscribed to `received.verified`; verification now recomputes compliance in its own transaction
 * (verify-received.ts). Kept registered so such jobs still queued from an earlier release run (idempotent).
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

/**
 * After an item is deleted (enqueued in the delete's transaction): the compliance of the live items that may have
 * counted it as their original (the same number), so the next one in line no longer fails the duplicate rule.
 */
export const recomputeAfterRemovalTask = defineTask({
  id: RECOMPUTE_AFTER_REMOVAL_TASK,
  payload: Type.Object({
    tenantId: Type.String({ maxLength: 64 }),
    removedId: Type.String({ maxLength: 64 }),
    number: Type.String({ maxLength: 40 }),
  }),
  maxAttempts: DEFAULT_TASK_ATTEMPTS,
  jobKey: (payload) => payload.removedId,
  handler: async (deps: Deps, payload) => {
    await recomputeAfterRemoval(deps, {
      tenantId: payload.tenantId,
      item: { id: payload.removedId, number: payload.number },
    });
  },
});

const COMPLIANCE_TASKS = [recomputeRulesTask, recomputeOnEventTask, recomputeAfterRemovalTask] as const;

declare module '../../../platform/jobs/index.js' {
  interface TaskPayloads extends TaskPayloadsOf<typeof COMPLIANCE_TASKS> {}
}

/** Compliance's background work: recomputing items after a rules change. */
export function registerComplianceTasks(registry: TaskRegistry, deps: Deps): void {
  registry.register(deps, COMPLIANCE_TASKS);
}
