/** Task ids of the collection module (kept apart so use cases can enqueue without importing the handlers). */
export const PROCESS_RECEIVED_TASK = 'collection/process-received' as const;
/** Reads a file again that needed OCR while OCR was unavailable (intake.ts rereadReceivedFile). */
export const REREAD_RECEIVED_FILE_TASK = 'collection/reread-received-file' as const;
/** Removes blobs intake stored and never recorded (orphan-blobs.ts), hourly. */
export const SWEEP_ORPHAN_BLOBS_TASK = 'collection/sweep-orphan-blobs' as const;
