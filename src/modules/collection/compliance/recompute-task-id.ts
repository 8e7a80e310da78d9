/** The id of the task that recomputes compliance after a rules change (its definition: compliance.tasks.ts). */
export const RECOMPUTE_RULES_TASK = 'collection/recompute-compliance' as const;

/** Items recomputed per job; a longer list continues in a follow-up job. */
export const RECOMPUTE_BATCH = 200;

/** The id of the task that recomputes compliance of an item's duplicates after it is deleted (compliance.tasks.ts). */
export const RECOMPUTE_AFTER_REMOVAL_TASK = 'collection/compliance-after-removal' as const;
