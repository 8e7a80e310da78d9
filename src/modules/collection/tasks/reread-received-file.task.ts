import { Type } from 'typebox';
import type { Deps } from '../../../platform/deps.js';
import { DEFAULT_TASK_ATTEMPTS, defineTask } from '../../../platform/jobs/index.js';
import { rereadReceivedFile } from '../intake.js';
import { REREAD_RECEIVED_FILE_TASK } from './task-ids.js';

/**
 * `collection/reread-received-file`: a file that needed OCR while OCR was unavailable (`ocr_pending`) is read again;
 * each try is a job of its own, due after a doubling delay (intake.ts rereadDelayMs), so a long OCR outage costs one
 * waiting job per file; a try that found the engine in its retry delay is moved to that delay's end, uncounted.
 * Retried by the queue only when the parse pool was stopping under it.
 */
export const rereadReceivedFileTask = defineTask({
  id: REREAD_RECEIVED_FILE_TASK,
  payload: Type.Object({
    tenantId: Type.String(),
    fileId: Type.String(),
    /** Tries counted so far (a try that found the OCR engine in its retry delay is not counted). */
    attempt: Type.Integer({ minimum: 0 }),
    /** When the file began waiting (job clock): it waits at most two days (intake.ts MAX_REREAD_WAIT_MS). */
    since: Type.Optional(Type.Integer({ minimum: 0 })),
  }),
  maxAttempts: DEFAULT_TASK_ATTEMPTS,
  handler: async (deps: Deps, payload, helpers) => {
    await rereadReceivedFile(deps, payload, (trx) => helpers.complete(trx));
  },
});
