import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryId, QueryResult } from 'kysely';
import { pino } from 'pino';
import { Type } from 'typebox';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createManualClock } from '../../src/platform/clock.js';
import type { Config } from '../../src/platform/config/load-config.js';
import type { Db } from '../../src/platform/db/create-db.js';
import {
  createTaskRegistry,
  createWorker,
  defineTask,
  enqueueJob,
  getJob,
  type Task,
  type TaskHelpers,
  type TaskRegistry,
  type WorkerOptions,
} from '../../src/platform/jobs/index.js';
import { createTestDb, type TestDialect } from '../helpers/test-db.js';

/** Task payloads used by the jobs tests (declaration merging, like a module would). */
declare module '../../src/platform/jobs/index.js' {
  interface TaskPayloads {
    'test/do-work': { label: string };
    'test/check-amount': { amount: number };
    'test/record-execution': { mode: 'ok' | 'block-first-attempt' | 'fail' };
  }
}

/** Attempts of the test tasks unless a test says otherwise (graphile-worker's default). */
export const TEST_TASK_ATTEMPTS = 25;

/** `test/do-work`: `{ label }`, running `handler`. */
export function doWorkTask(
  handler: (payload: { label: string }, helpers: TaskHelpers) => Promise<void>,
  maxAttempts = TEST_TASK_ATTEMPTS,
) {
  return defineTask({
    id: 'test/do-work',
    payload: Type.Object({ label: Type.String() }),
    maxAttempts,
    handler: (_deps: unknown, payload, helpers) => handler(payload, helpers),
  });
}

/** `test/record-execution` (the multi-process suite's task), running `handler`. */
export function recordExecutionTask(
  handler: (payload: { mode: 'ok' | 'block-first-attempt' | 'fail' }, helpers: TaskHelpers) => Promise<void>,
) {
  return defineTask({
    id: 'test/record-execution',
    payload: Type.Object({
      mode: Type.Union([Type.Literal('ok'), Type.Literal('block-first-attempt'), Type.Literal('fail')]),
    }),
    maxAttempts: TEST_TASK_ATTEMPTS,
    handler: (_deps: unknown, payload, helpers) => handler(payload, helpers),
  });
}

/** A registry of test tasks (they take no deps). */
// biome-ignore lint/suspicious/noExplicitAny: any task schema.
export function registryOf(...tasks: Task<string, any, unknown>[]): TaskRegistry {
  const registry = createTaskRegistry();
  registry.register(undefined, tasks);
  return registry;
}

export const silentLogger = pino({ level: 'silent' });

/** Worker settings for tests: quick polling, a long lease unless a test needs heartbeats. */
export function testJobsConfig(overrides: Partial<Config['jobs']> = {}): Config['jobs'] {
  return {
    concurrency: 4,
    pollIntervalMs: 20,
    leaseMs: 30_000,
    shutdownTimeoutMs: 2_000,
    drainDelayMs: 0,
    retentionMs: 7 * 86_400_000,
    ...overrides,
  };
}

/** A promise with its resolve/reject in hand. */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(err: unknown): void;
}

/** Creates a {@link Deferred}. */
export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Resolves when the signal aborts. */
export function whenAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** The per-dialect fixture of the worker suites: a migrated database, a manual clock and shortcuts. */
export function useWorkerFixture(dialect: TestDialect) {
  let t: Awaited<ReturnType<typeof createTestDb>> | undefined;
  const clock = createManualClock('2025-03-01T00:00:00Z');
  beforeAll(async () => {
    t = await createTestDb(dialect);
  });
  afterAll(async () => {
    await t?.cleanup();
  });
  beforeEach(async () => {
    await t!.db.kysely.deleteFrom('jobs').execute();
  });
  const db = () => t!.db;
  return {
    clock,
    db,
    worker: (registry: TaskRegistry, extra: Partial<WorkerOptions> = {}) =>
      createWorker({ db: db(), registry, config: testJobsConfig(), logger: silentLogger, clock, ...extra }),
    enqueue: (registry: TaskRegistry, label = 'x', opts: { maxAttempts?: number; priority?: number } = {}) =>
      enqueueJob(db().kysely, registry, 'test/do-work', { label }, { now: clock.now(), ...opts }).then((r) => r.id),
    load: async (id: string) => (await getJob(db().kysely, { tenantId: null, id }))!,
  };
}

/** A registry with `test/do-work` running `handler`. */
export function registryWith(
  handler: (payload: { label: string }, helpers: TaskHelpers) => Promise<void>,
  maxAttempts?: number,
): TaskRegistry {
  return registryOf(doWorkTask(handler, maxAttempts));
}

/**
 * Counts the worker's claim statements (`with due as (…) update jobs …`) sent through the Kysely it is plugged into:
 * `claims` as they are sent, `claimsAnswered` once their result came back (the claim done).
 */
export class ClaimCounter implements KyselyPlugin {
  claims = 0;
  claimsAnswered = 0;
  private readonly pending = new WeakSet<QueryId>();
  transformQuery(args: PluginTransformQueryArgs) {
    const node = args.node;
    if (node.kind === 'UpdateQueryNode' && node.with) {
      this.claims++;
      this.pending.add(args.queryId);
    }
    return node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<Record<string, unknown>>> {
    if (this.pending.delete(args.queryId)) this.claimsAnswered++;
    return args.result;
  }
}

/** `db` with a {@link ClaimCounter} plugged into its Kysely (give it to a worker to watch its claims). */
export function watchClaims(db: Db): { db: Db; counter: ClaimCounter } {
  const counter = new ClaimCounter();
  return { db: { ...db, kysely: db.kysely.withPlugin(counter) }, counter };
}
