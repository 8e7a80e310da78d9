import { performance } from 'node:perf_hooks';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import { formatJobError } from './format-job-error.js';
import { completeJob, extendLease, failJob } from './jobs.repo.js';
import type { Job, JobState } from './jobs.tables.js';
import { isPermanentJobError, JobLeaseLostError } from './permanent-job-error.js';
import type { RegisteredTask, TaskHelpers, TaskRegistry } from './task-registry.js';

/** Reported after a job's outcome was recorded (for metrics). */
export interface JobFinishedInfo {
  task: string;
  state: JobState;
  durationMs: number;
  /** `retry`: when the next attempt is due (Clock ms). */
  retryAt?: number;
}

/** One claimed job being executed by this worker. */
export interface JobRun {
  readonly job: Job;
  readonly controller: AbortController;
  /** Set when the lease was lost or the job was released at shutdown: its outcome must not be written. */
  abandoned: boolean;
  /** Set when the handler marked the job succeeded in its own transaction (`helpers.complete(trx)`). */
  completedInTrx?: boolean;
  /** What a direct dispatch handed this run (`DispatchSlot.run`), passed on as `helpers.handed`. */
  readonly handed?: unknown;
  /**
   * Jobs claimed in the handler's last transaction, with this job's completion, to take the slot it frees
   * ({@link RunJobContext.claimSuccessors}). They are this worker's once that transaction committed.
   */
  successors?: Job[];
  /**
   * Whether the handler's transaction that called `helpers.complete(trx)` committed (and `successors` with it): true
   * when the handler returned after it, or threw but the job was no longer running under this lease (the completion
   * had committed); false when the failure write still found it running (the transaction had rolled back); undefined
   * when not known (no such call, or the outcome was not written: released or lease lost).
   */
  committedInTrx?: boolean;
}

/** What running a job needs from its worker. */
export interface RunJobContext {
  db: Kysely<Database>;
  registry: TaskRegistry;
  workerId: string;
  leaseMs: number;
  clock: Clock;
  logger: Logger;
  backoff: (attempts: number) => number;
  onJobFinished: ((info: JobFinishedInfo) => void) | undefined;
  /**
   * Called in `helpers.complete(trx)` after the completion was written: the worker claims, in the same transaction,
   * the jobs waiting for the slot this one frees (into `run.successors`), so under a backlog a claim costs no commit
   * of its own. Claims nothing when no job is known to wait.
   */
  claimSuccessors?: (trx: Kysely<Database>, run: JobRun) => Promise<void>;
}

/** A failure keeps what was thrown (`err`) for the log: `lastError` (stored, shown by the API) has no stack. */
type Outcome = { ok: true } | { ok: false; permanent: boolean; lastError: string; err?: unknown };

/** Runs a claimed job and records its outcome. Never rejects: database errors are logged (the lease then expires). */
export async function runJob(ctx: RunJobContext, run: JobRun): Promise<void> {
  const { job } = run;
  const logger = ctx.logger.child({ jobId: job.id, task: job.task, attempt: job.attempts });
  const started = performance.now();
  try {
    const outcome = await executeJob(ctx, run, logger);
    await recordOutcome(ctx, run, outcome, logger, performance.now() - started);
  } catch (err) {
    logger.error({ err }, 'could not record the job outcome; the job is retried when its lease expires');
  }
}

async function executeJob(ctx: RunJobContext, run: JobRun, logger: Logger): Promise<Outcome> {
  const { job } = run;
  const definition = ctx.registry.get(job.task);
  if (!definition) {
    return {
      ok: false,
      permanent: true,
      lastError: `unknown task "${job.task}": no handler is defined in this process`,
    };
  }
  const decoded = decodePayload(definition, job);
  if (!decoded.ok) return { ok: false, permanent: true, lastError: decoded.problem };
  const { payload } = decoded;
  const heartbeat = startHeartbeat(ctx, run, logger);
  const complete = async (trx: Kysely<Database>): Promise<void> => {
    if (run.abandoned) throw new JobLeaseLostError();
    if (!(await completeJob(trx, job, ctx.workerId, ctx.clock.now()))) throw new JobLeaseLostError();
    await ctx.claimSuccessors?.(trx, run);
    run.completedInTrx = true;
  };
  const helpers: TaskHelpers = {
    job,
    logger,
    signal: run.controller.signal,
    heartbeat: heartbeat.beat,
    complete,
    ...(run.handed === undefined ? {} : { handed: run.handed }),
  };
  try {
    await definition.handler(payload, helpers);
    return { ok: true };
  } catch (err) {
    return { ok: false, permanent: isPermanentJobError(err), lastError: formatJobError(err), err };
  } finally {
    await heartbeat.stop();
  }
}

/** Extends the lease every leaseMs/3 while the handler runs; on a lost lease, aborts the job's signal. */
function startHeartbeat(ctx: RunJobContext, run: JobRun, logger: Logger) {
  let inflight: Promise<void> | undefined;
  const beat = async (): Promise<void> => {
    if (run.abandoned) throw new JobLeaseLostError();
    if (run.completedInTrx) return;
    const now = ctx.clock.now();
    if (await extendLease(ctx.db, run.job, ctx.workerId, now + ctx.leaseMs, now)) return;
    // The handler's transaction completed the job while this beat waited for its row lock: nothing was lost.
    if (run.completedInTrx) return;
    if (!run.abandoned) {
      run.abandoned = true;
      logger.warn('job lease lost (another worker took the job over); aborting the handler');
      run.controller.abort(new JobLeaseLostError());
    }
    throw new JobLeaseLostError();
  };
  const timer = setInterval(
    () => {
      if (inflight || run.abandoned) return;
      inflight = beat()
        .catch((err: unknown) => {
          if (!run.abandoned) logger.warn({ err }, 'job heartbeat failed; retrying at the next beat');
        })
        .finally(() => {
          inflight = undefined;
        });
    },
    Math.max(Math.floor(ctx.leaseMs / 3), 10),
  );
  timer.unref();
  return {
    beat,
    stop: async () => {
      clearInterval(timer);
      await inflight;
    },
  };
}

async function recordOutcome(ctx: RunJobContext, run: JobRun, outcome: Outcome, logger: Logger, durationMs: number) {
  const { job } = run;
  if (outcome.ok && run.completedInTrx) run.committedInTrx = true;
  if (run.abandoned) {
    logger.info('job outcome not recorded: the job was released or its lease lost');
    return;
  }
  const now = ctx.clock.now();
  let state: JobState;
  let written: boolean;
  let retryAt: number | undefined;
  if (outcome.ok) {
    state = 'succeeded';
    // Completed in the handler's last transaction: written already, and guarded the same way. A handler that returns
    // after calling complete(trx) let that transaction commit (a rollback throws out of it).
    written = run.committedInTrx === true || (await completeJob(ctx.db, job, ctx.workerId, now));
  } else if (outcome.permanent || job.attempts >= job.max_attempts) {
    state = 'dead';
    written = await failJob(ctx.db, job, ctx.workerId, { state, lastError: outcome.lastError, now });
  } else {
    state = 'retry';
    const runAt = now + ctx.backoff(job.attempts);
    written = await failJob(ctx.db, job, ctx.workerId, { state, runAt, lastError: outcome.lastError, now });
    retryAt = runAt;
  }
  /** The handler threw after complete(trx). */
  const threwAfterComplete = !outcome.ok && run.completedInTrx === true;
  if (threwAfterComplete) {
    // The failure write found the job still running under this lease only if that transaction rolled back; otherwise
    // the completion (and what was claimed with it) had committed.
    run.committedInTrx = !written;
  }
  if (!written) {
    if (threwAfterComplete) {
      logger.warn('job failed after its completion committed: it stays succeeded');
      return;
    }
    logger.warn('job outcome not recorded: the lease was lost and another worker owns the job');
    return;
  }
  logOutcome(logger, job, state, outcome, durationMs);
  if (state === 'dead' && !outcome.ok) await notifyDead(ctx, job, outcome.lastError, logger);
  try {
    ctx.onJobFinished?.({ task: job.task, state, durationMs, ...(retryAt === undefined ? {} : { retryAt }) });
  } catch (err) {
    logger.warn({ err }, 'onJobFinished threw');
  }
}

/** Runs the task's onDead hook for a job that just went dead (never throws). */
export async function notifyDead(
  ctx: Pick<RunJobContext, 'registry'>,
  job: Job,
  lastError: string,
  logger: Logger,
): Promise<void> {
  const definition = ctx.registry.get(job.task);
  if (!definition?.onDead) return;
  const decoded = decodePayload(definition, job);
  if (!decoded.ok) {
    logger.error({ jobId: job.id, task: job.task, problem: decoded.problem }, 'onDead hook not run: invalid payload');
    return;
  }
  try {
    await definition.onDead(decoded.payload, { job, lastError });
  } catch (err) {
    logger.error({ err, jobId: job.id, task: job.task }, 'onDead hook failed');
  }
}

/**
 * The stored payload, parsed and checked against the task's schema (as at enqueue): a row written by other code, an
 * older version or by hand fails the job for good with a clear error instead of reaching the handler.
 */
function decodePayload(
  definition: RegisteredTask,
  job: Job,
): { ok: true; payload: unknown } | { ok: false; problem: string } {
  let payload: unknown;
  try {
    payload = JSON.parse(job.payload);
  } catch {
    return { ok: false, problem: 'payload is not valid JSON' };
  }
  const problem = definition.check(payload);
  if (problem !== null) return { ok: false, problem: `invalid payload for task "${job.task}": ${problem}` };
  return { ok: true, payload };
}

function logOutcome(logger: Logger, job: Job, state: JobState, outcome: Outcome, durationMs: number): void {
  const ms = Math.round(durationMs);
  if (outcome.ok) {
    logger.info({ durationMs: ms }, 'job succeeded');
    return;
  }
  const message = `job failed (attempt ${job.attempts} of ${job.max_attempts})${state === 'dead' ? '; dead' : '; will retry'}`;
  (state === 'dead' ? logger.error : logger.warn).call(
    logger,
    { durationMs: ms, lastError: outcome.lastError, ...(outcome.err === undefined ? {} : { err: outcome.err }) },
    message,
  );
}
