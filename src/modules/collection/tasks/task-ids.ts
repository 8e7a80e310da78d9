/** Task ids of the collection module (kept apart so use cases can enqueue without importing the handlers). */
export const PROCESS_RECEIVED_TASK = 'collection/process-received' as const;
