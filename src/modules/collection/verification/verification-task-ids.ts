/** Task ids of the verification stage (apart from the handlers, so use cases can enqueue without importing them). */
export const VERIFY_RECEIVED_TASK = 'collection/verify-received' as const;
export const REVERIFY_NIGHTLY_TASK = 'collection/reverify-nightly' as const;
