import type { Kysely, RawBuilder, Transaction } from 'kysely';
import { Type } from 'typebox';
import type { Clock } from './clock.js';
import type { Database } from './db/database.js';
import { newId } from './ids.js';
import type { TaskName, TaskPayloads } from './jobs/index.js';
import type { AfterCommitDispatch, JobsRuntime } from './jobs-runtime.js';

/** Something that happened to a tenant's resource, e.g. `invoice.issued`. Public names are past tense. */
export interface DomainEvent {
  readonly id: string;
  readonly type: string;
  readonly tenantId: string;
  /** The resource's id (e.g. the invoice id). */
  readonly subjectId: string;
  readonly occurredAt: number;
  readonly data?: Record<string, unknown>;
}

/** Schema of a {@link DomainEvent} in a job payload (`{ event }`), checked at enqueue and at claim. */
export const DomainEventSchema = Type.Object({
  id: Type.String(),
  type: Type.String(),
  tenantId: Type.String(),
  subjectId: Type.String(),
  occurredAt: Type.Number(),
  data: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});

/** Payload schema of a task subscribed to events. */
export const EventTaskPayload = Type.Object({ event: DomainEventSchema });

/** Decides at publish time whether a subscriber gets a job for the event (see {@link EventBus.subscribe}). */
export type EventFilter = (
  event: DomainEvent,
  db: Kysely<Database> | Transaction<Database>,
) => boolean | Promise<boolean>;

/** Tasks that take an event: their payload is `{ event }`. */
type EventTask = { [K in TaskName]: TaskPayloads[K] extends { event: DomainEvent } ? K : never }[TaskName];

/**
 * In-process publish/subscribe on top of the durable job queue: publishing inside a business transaction enqueues
 * one job per subscribed task in that same transaction, so the state change and the work it triggers commit
 * together (transactional outbox). Subscriptions are made at start-up by the modules' task registration.
 */
export interface EventBus {
  /**
   * Runs `task` for every event of `types`. `when` is checked at publish time, in the publisher's transaction (`db`):
   * events it refuses enqueue nothing, so a subscriber that only cares about some events costs nothing for the others.
   * Keep it cheap — a test of the event's data, or a lookup the subscriber's module caches — since it runs in every
   * publishing transaction.
   */
  subscribe(types: string | readonly string[], task: EventTask, when?: EventFilter): void;
  /**
   * Publishes an event. `key` makes publishing idempotent: a retried transition with the same key enqueues nothing
   * new (each subscriber job is keyed `task:key`), and the event keeps the id of its first publication.
   */
  publish(
    db: Kysely<Database> | Transaction<Database>,
    event: EventInput,
    /** The subscriber jobs go straight to this process's worker once the transaction committed (direct dispatch). */
    dispatch?: AfterCommitDispatch,
  ): Promise<DomainEvent>;
  /**
   * PostgreSQL: the same publication as data-modifying CTE bodies of the caller's ONE statement — one subscriber job
   * per row of the preceding CTE `after` (see `JobsRuntime.enqueueAfter`), so the jobs exist only when that row was
   * written. The `when` filters run first, given `db` (the runtime's handle: their lookups may be cached). The caller
   * calls `jobs.notify()` once the statement committed.
   */
  publishAfter(
    db: Kysely<Database>,
    after: string,
    event: EventInput,
  ): Promise<{ event: DomainEvent; jobs: RawBuilder<{ id: string }>[] }>;
}

/** What a publisher says about an event (the bus adds its id and time). */
export interface EventInput {
  type: string;
  tenantId: string;
  subjectId: string;
  key: string;
  data?: Record<string, unknown>;
}

export function createEventBus({ jobs, clock }: { jobs: JobsRuntime; clock: Clock }): EventBus {
  const subscribers = new Map<string, { task: EventTask; when?: EventFilter }[]>();
  return {
    subscribe(types, task, when) {
      for (const type of typeof types === 'string' ? [types] : types) {
        subscribers.set(type, [...(subscribers.get(type) ?? []), { task, ...(when ? { when } : {}) }]);
      }
    },
    async publish(db, input, dispatch) {
      const event = toEvent(input);
      for (const { task, when } of subscribers.get(input.type) ?? []) {
        if (when && !(await when(event, db))) continue;
        const slot = dispatch?.reserve() ?? null;
        const enqueued = await jobs.enqueue(db, task, { event } as TaskPayloads[typeof task], {
          tenantId: input.tenantId,
          key: input.key,
          slot,
        });
        if (slot) dispatch?.inserted(slot, enqueued.job);
      }
      return event;
    },
    async publishAfter(db, after, input) {
      const event = toEvent(input);
      const bodies: RawBuilder<{ id: string }>[] = [];
      for (const { task, when } of subscribers.get(input.type) ?? []) {
        if (when && !(await when(event, db))) continue;
        bodies.push(
          jobs.enqueueAfter(after, task, { event } as TaskPayloads[typeof task], {
            tenantId: input.tenantId,
            key: input.key,
          }),
        );
      }
      return { event, jobs: bodies };
    },
  };

  function toEvent(input: EventInput): DomainEvent {
    const now = clock.now();
    return {
      id: newId('evt', now),
      type: input.type,
      tenantId: input.tenantId,
      subjectId: input.subjectId,
      occurredAt: now,
      ...(input.data ? { data: input.data } : {}),
    };
  }
}
