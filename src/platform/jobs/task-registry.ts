import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Static, TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import type { Database } from '../db/database.js';
import type { TaskPayloads } from './index.js';
import type { Job } from './jobs.tables.js';

/**
 * Attempts of a task that follows the standard policy: 12 attempts, ≈ 16 h of retries with the queue's backoff
 * (docs/jobs.md "Retries and backoff"). Tasks with another policy declare their own named constant.
 */
export const DEFAULT_TASK_ATTEMPTS = 12;

/** Task ids are `module/verb-noun`, e.g. `invoicing/issue-invoice`. */
const TASK_ID_PATTERN = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*\/[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/** Every task id some module declared in {@link TaskPayloads}. */
export type TaskName = keyof TaskPayloads & string;

/** What a handler gets besides its payload. */
export interface TaskHelpers {
  /** The job row as claimed (attempts already counts this run). */
  readonly job: Job;
  /**
   * What the enqueuer handed this run when it dispatched the job straight to this process's worker
   * (`DispatchSlot.run(job, handed)`), e.g. the row it just inserted; undefined otherwise (claimed, retried, or run on
   * another node). A handler must work without it, and check that it is what it expects.
   */
  readonly handed?: unknown;
  /** Child logger bound to `jobId`, `task` and `attempt`. */
  readonly logger: Logger;
  /** Aborted on shutdown or when the lease was lost: stop work and return (or throw) promptly. */
  readonly signal: AbortSignal;
  /** Extends the lease now (the worker also does it every leaseMs/3). Throws when the lease was lost. */
  heartbeat(): Promise<void>;
  /**
   * Marks the job succeeded inside `trx`, the handler's last transaction, so that its effect and its completion
   * commit together (one commit fewer, and no window in which the work is done but the job still runs). Guarded like
   * every write after the claim (`locked_by`, `attempts`): when the lease was lost it throws `JobLeaseLostError`
   * and the transaction must roll back. Once the handler returns, the worker writes nothing more for the job. A
   * handler that throws after calling it gets the usual failure write, which matches nothing once `trx` committed.
   */
  complete(trx: Kysely<Database>): Promise<void>;
}

/**
 * A background task, declared once with {@link defineTask}: its id (stored in `jobs.task`, never renamed), the
 * TypeBox schema of its payload (checked at enqueue and again at claim), its attempts (a named constant), the rule
 * of its job key, its handler and its onDead hook. `D` is what the module passes at registration (its `deps`):
 * handlers and hooks take it first, like use cases.
 */
export interface Task<Id extends string = string, S extends TSchema = TSchema, D = never> {
  readonly id: Id;
  /** The payload's schema; the payload type is `Static<S>`. */
  readonly payload: S;
  /** Attempts of a job of this task (an enqueuer may override it). */
  readonly maxAttempts: number;
  /**
   * The part of the job key that names the effect, from the payload (e.g. the invoice id): every job of this task
   * is then keyed `{taskId}:{jobKey(payload)}`. An enqueuer passes `key` instead when the effect is named by more
   * than the payload (an invoice's revision, an event's idempotency key).
   */
  jobKey?(payload: Static<S>): string;
  handler(deps: D, payload: Static<S>, helpers: TaskHelpers): Promise<void>;
  /**
   * Called once when a job of this task goes `dead` (attempts used up, PermanentJobError, or a lease that expired
   * on the last attempt — a crashed worker), so the task can leave its business state consistent (e.g. mark a
   * request failed instead of leaving it in flight). Errors are logged; the job stays dead either way.
   */
  onDead?(deps: D, payload: Static<S>, info: { job: Job; lastError: string }): Promise<void>;
}

/** Declares a task (an identity function that keeps the id's literal type and infers the payload from the schema). */
export function defineTask<const Id extends string, S extends TSchema, D>(task: Task<Id, S, D>): Task<Id, S, D> {
  return task;
}

/**
 * Payload types of a module's tasks, keyed by id, for {@link TaskPayloads}:
 * `declare module '…/platform/jobs/index.js' { interface TaskPayloads extends TaskPayloadsOf<typeof TASKS> {} }`.
 */
export type TaskPayloadsOf<T extends readonly { id: string; payload: TSchema }[]> = {
  [K in T[number] as K['id']]: Static<K['payload']>;
};

/** A task bound to its module's deps: what enqueue checks and the worker runs. */
export interface RegisteredTask {
  readonly id: string;
  readonly payload: TSchema;
  readonly maxAttempts: number;
  /** A problem description when `payload` does not match the task's schema, else null. */
  check(payload: unknown): string | null;
  /** The job key for an enqueue of `payload` (`{taskId}:{key}`), or null when the job is not keyed. */
  jobKey(payload: unknown, key: string | undefined): string | null;
  handler(payload: unknown, helpers: TaskHelpers): Promise<void>;
  onDead?(payload: unknown, info: { job: Job; lastError: string }): Promise<void>;
}

/** The tasks this process knows how to run (and may enqueue). */
export interface TaskRegistry {
  /** Registers a module's tasks with the deps their handlers take; throws on a malformed or duplicate id. */
  register<D>(deps: D, tasks: readonly Task<string, TSchema, D>[]): void;
  /** The registered task, or undefined when this process does not know it. */
  get(task: string): RegisteredTask | undefined;
  /** Ids of every registered task, sorted. */
  list(): string[];
}

/** The one job key rule: `{taskId}:{key}`. */
export function taskJobKey(taskId: string, key: string): string {
  return `${taskId}:${key}`;
}

/** Creates an empty registry; modules fill it through their `register…Tasks(registry, deps)`. */
export function createTaskRegistry(): TaskRegistry {
  const tasks = new Map<string, RegisteredTask>();
  return {
    register(deps, list) {
      for (const task of list) {
        const { id, maxAttempts } = task;
        if (!TASK_ID_PATTERN.test(id)) throw new Error(`task id "${id}" must look like module/verb-noun`);
        if (tasks.has(id)) throw new Error(`task "${id}" is already defined`);
        if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
          throw new Error(`task "${id}": maxAttempts must be a positive integer`);
        }
        const validator = Compile(task.payload);
        const onDead = task.onDead;
        tasks.set(id, {
          id,
          payload: task.payload,
          maxAttempts,
          check: (payload) => {
            if (validator.Check(payload)) return null;
            const [first] = validator.Errors(payload);
            return first ? `${first.instancePath || 'payload'} ${first.message}` : 'payload does not match the schema';
          },
          jobKey: (payload, key) => {
            const part = key ?? task.jobKey?.(payload as never);
            return part === undefined ? null : taskJobKey(id, part);
          },
          handler: (payload, helpers) => task.handler(deps, payload as never, helpers),
          ...(onDead ? { onDead: (payload, info) => onDead.call(task, deps, payload as never, info) } : {}),
        });
      }
    },
    get: (task) => tasks.get(task),
    list: () => [...tasks.keys()].sort(),
  };
}
