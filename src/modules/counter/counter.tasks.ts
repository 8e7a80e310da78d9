import { Type } from 'typebox';
import type { Deps } from '../../platform/deps.js';
import { type DomainEvent, EventTaskPayload } from '../../platform/events.js';
import {
  DEFAULT_TASK_ATTEMPTS,
  defineTask,
  type TaskPayloadsOf,
  type TaskRegistry,
} from '../../platform/jobs/index.js';
import { getInvoiceOrThrow } from '../invoicing/index.js';
import { RESERVATION_ORIGIN } from './issue-reservation.js';
import { DAY_MS, PRUNE_TASK } from './rate-limit.js';
import { pruneCounters } from './rate-limit.repo.js';
import { announceReservationChange } from './reservation-signals.js';
import { findReservationById, findReservationBySerial, updateReservationIf } from './reservations.repo.js';
import { EXPIRE_TASK } from './submit-reservation.js';

/** A reservation nobody issued or rejected by its `expires_at` expires (one job per reservation, run at that time). */
export const expireReservationTask = defineTask({
  id: EXPIRE_TASK,
  payload: Type.Object({ reservationId: Type.String() }),
  maxAttempts: DEFAULT_TASK_ATTEMPTS,
  jobKey: (payload) => payload.reservationId,
  handler: async (deps: Deps, payload) => {
    const db = deps.db.kysely;
    const r = await findReservationById(db, payload.reservationId);
    if (r?.status !== 'submitted') return;
    const now = deps.clock.now();
    if (await updateReservationIf(db, r.id, ['submitted'], { status: 'expired', updated_at: now })) {
      await announceReservationChange(deps, r.tenant_id);
    }
  },
});

/** Follows a reservation's invoice: issued (→ `invoiced`) or failed (→ `failed`, for the clerk to correct and retry). */
export const reservationInvoiceSettledTask = defineTask({
  id: 'counter/invoice-settled',
  payload: EventTaskPayload,
  maxAttempts: DEFAULT_TASK_ATTEMPTS,
  handler: (deps: Deps, payload) => onInvoiceSettled(deps, payload.event),
});

/** Forgets the consumer endpoints' counter windows older than yesterday (one job per Asia/Shanghai day). */
export const pruneCountersTask = defineTask({
  id: PRUNE_TASK,
  payload: Type.Object({ day: Type.Integer() }),
  maxAttempts: DEFAULT_TASK_ATTEMPTS,
  jobKey: (payload) => String(payload.day),
  handler: async (deps: Deps, payload) => {
    await pruneCounters(deps.db.kysely, payload.day - DAY_MS);
  },
});

const COUNTER_TASKS = [expireReservationTask, reservationInvoiceSettledTask, pruneCountersTask] as const;

declare module '../../platform/jobs/index.js' {
  interface TaskPayloads extends TaskPayloadsOf<typeof COUNTER_TASKS> {}
}

/** Counter modes' background work: reservation expiry, following reservation invoices. */
export function registerCounterTasks(registry: TaskRegistry, deps: Deps): void {
  registry.register(deps, COUNTER_TASKS);
  deps.events.subscribe(
    ['invoice.issued', 'invoice.failed'],
    reservationInvoiceSettledTask.id,
    (event) => event.data?.origin === RESERVATION_ORIGIN,
  );
}

async function onInvoiceSettled(deps: Deps, event: DomainEvent): Promise<void> {
  const serialNo = event.data?.serialNo;
  if (typeof serialNo !== 'string') return;
  const db = deps.db.kysely;
  const r = await findReservationBySerial(db, event.tenantId, serialNo);
  if (!r) return;
  const invoice = await getInvoiceOrThrow(deps, event.tenantId, serialNo);
  if (invoice.origin !== RESERVATION_ORIGIN) return;
  const now = deps.clock.now();
  const changed =
    event.type === 'invoice.failed'
      ? await updateReservationIf(db, r.id, ['invoicing'], {
          status: 'failed',
          failure_reason: invoice.failure_reason ?? '开票失败',
          updated_at: now,
        })
      : await updateReservationIf(db, r.id, ['invoicing', 'failed'], {
          status: 'invoiced',
          invoice_id: invoice.id,
          failure_reason: null,
          updated_at: now,
        });
  if (changed) await announceReservationChange(deps, r.tenant_id);
}
