/**
 * Thrown by a task handler when retrying cannot help (the channel rejected the tax code, the invoice no longer
 * exists). The job goes to `dead` at once with the message as `last_error`, whatever attempts remain.
 */
export class PermanentJobError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentJobError';
  }
}

/** True for a {@link PermanentJobError}, also across module copies (checks the name, not only the prototype). */
export function isPermanentJobError(err: unknown): boolean {
  return err instanceof PermanentJobError || (err instanceof Error && err.name === 'PermanentJobError');
}

/**
 * Thrown by `helpers.complete(trx)` and `helpers.heartbeat()` when the job's lease is no longer this worker's
 * (it expired and another worker claimed the job, or the job was released): the handler's transaction must roll
 * back, and its outcome is not recorded.
 */
export class JobLeaseLostError extends Error {
  constructor() {
    super('job lease lost');
    this.name = 'JobLeaseLostError';
  }
}
