import type { Logger } from 'pino';
import type { TaskPayloads } from './index.js';
import type { Job } from './jobs.tables.js';

/** Attempts a job gets when neither the task nor the enqueuer says otherwise (graphile-worker's default). */
export const MAX_ATTEMPTS_DEFAULT = 25;

/** Task ids are `module/verb-noun`, e.g. `invoicing/issue-invoice`. */
const TASK_ID_PATTERN = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*\/[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/** Every task id some module declared in {@link TaskPayloads}. */
export type TaskName = keyof TaskPayloads & string;

/** What a handler gets besides its payload. */
export interface TaskHelpers {
  /** The job row as claimed (attempts already counts this run). */
  readonly job: Job;
  /** Child logger bound to `jobId`, `task` and `attempt`. */
  readonly logger: Logger;
  /** Aborted on shutdown or when the lease was lost: stop work and return (or throw) promptly. */
  readonly signal: AbortSignal;
  /** Extends the lease now (the worker also does it every leaseMs/3). Throws when the lease was lost. */
  heartbeat(): Promise<void>;
}

/** How a task runs. Handlers are closures: a module's `registerTasks(registry, deps)` captures its dependencies. */
export interface TaskDefinition<P> {
  handler: (payload: P, helpers: TaskHelpers) => Promise<void>;
  /** Default for jobs of this task; an enqueuer may override it. */
  maxAttempts?: number;
  /** Checked at enqueue time: returns a problem description, or null when the payload is fine. */
  validate?: (payload: unknown) => string | null;
  /**
   * Called once when a job of this task goes `dead` (attempts used up, PermanentJobError, or a lease that expired
   * on the last attempt — a crashed worker), so the task can leave its business state consistent (e.g. mark a
   * request failed instead of leaving it in flight). Errors are logged; the job stays dead either way.
   */
  onDead?: (payload: P, info: { job: Job; lastError: string }) => Promise<void>;
}

/** The tasks this process knows how to run (and may enqueue). */
export interface TaskRegistry {
  /** Registers a task; throws when the id is malformed or already defined. */
  define<T extends TaskName>(task: T, definition: TaskDefinition<TaskPayloads[T]>): void;
  /** The definition of a task, or undefined when this process does not know it. */
  get(task: string): TaskDefinition<unknown> | undefined;
  /** Ids of every defined task, sorted. */
  list(): string[];
}

/** Creates an empty registry; modules fill it through their `registerTasks(registry, deps)`. */
export function createTaskRegistry(): TaskRegistry {
  const tasks = new Map<string, TaskDefinition<unknown>>();
  return {
    define(task, definition) {
      if (!TASK_ID_PATTERN.test(task)) throw new Error(`task id "${task}" must look like module/verb-noun`);
      if (tasks.has(task)) throw new Error(`task "${task}" is already defined`);
      const maxAttempts = definition.maxAttempts;
      if (maxAttempts !== undefined && (!Number.isInteger(maxAttempts) || maxAttempts < 1)) {
        throw new Error(`task "${task}": maxAttempts must be a positive integer`);
      }
      tasks.set(task, definition as unknown as TaskDefinition<unknown>);
    },
    get: (task) => tasks.get(task),
    list: () => [...tasks.keys()].sort(),
  };
}
