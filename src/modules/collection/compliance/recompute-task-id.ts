/** The id of the task that recomputes compliance after a rules change (its definition: compliance.tasks.ts). */
export const RECOMPUTE_RULES_TASK = 'collection/recompute-compliance' as const;

/** Items recomputed per job; a longer list continues in a follow-up job. */
export const RECOMPUTE_BATCH = 200;
