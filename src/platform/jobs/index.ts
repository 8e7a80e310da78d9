/**
 * The durable job queue (transactional outbox). Enqueue inside your business transaction with {@link enqueueJob};
 * a worker from {@link createWorker} claims due jobs with a lease, runs the task's handler and records the outcome
 * (succeeded, retry with backoff, or dead). See docs/jobs.md.
 */

/**
 * Payload type of every task, keyed by task id. Modules extend it by declaration merging, from their task objects:
 *
 * ```ts
 * declare module '../../platform/jobs/index.js' {
 *   interface TaskPayloads extends TaskPayloadsOf<typeof INVOICING_TASKS> {}
 * }
 * ```
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging in each module.
export interface TaskPayloads {}

export {
  countJobsByState,
  countJobsByTaskAndState,
  countScheduledJobs,
  getJob,
  type JobScope,
  LIST_JOBS_MAX_LIMIT,
  type ListJobsOptions,
  type ListJobsResult,
  listJobs,
} from './admin-jobs.js';
export {
  CANCELLABLE_STATES,
  cancelJob,
  cancelUnstartedJob,
  RETRYABLE_STATES,
  retryJob,
  type UnstartedJobCancel,
} from './change-job-state.js';
export { BACKOFF_JITTER, BACKOFF_MAX_EXPONENT, computeBackoffDelay } from './compute-backoff-delay.js';
export {
  type DispatchSlot,
  type EnqueueJobOptions,
  type EnqueueJobResult,
  enqueueJob,
  enqueueJobAfter,
  enqueueJobAfterRow,
} from './enqueue-job.js';
export { LAST_ERROR_MAX_CHARS, publicJobError } from './format-job-error.js';
export { JOB_STATES, type Job, type JobState, type JobTable, type JobTables } from './jobs.tables.js';
export { isPermanentJobError, JobLeaseLostError, PermanentJobError } from './permanent-job-error.js';
export {
  createTaskRegistry,
  DEFAULT_TASK_ATTEMPTS,
  defineTask,
  type RegisteredTask,
  type Task,
  type TaskHelpers,
  type TaskName,
  type TaskPayloadsOf,
  type TaskRegistry,
  taskJobKey,
} from './task-registry.js';
export {
  createWorker,
  type JobFinishedInfo,
  SAFETY_POLL_MS,
  type Worker,
  type WorkerOptions,
  type WorkerWake,
} from './worker.js';
