import type { Deps } from '../../platform/deps.js';
import { waitUntilSettled, watchSettled } from '../../platform/settled-waiter.js';
import { latestReservationChange } from './reservations.repo.js';

/** The signal a tenant's reservations send when one is created or changes (to every node). */
export const RESERVATIONS_TOPIC = 'counter.reservations';

/** Called after a committed change of the tenant's reservations: wakes the clerk pages' waits on every node. */
export async function announceReservationChange(
  deps: Pick<Deps, 'signals' | 'logger'>,
  tenantId: string,
): Promise<void> {
  try {
    await deps.signals.publish(RESERVATIONS_TOPIC, tenantId);
  } catch (err) {
    deps.logger.warn({ err }, 'could not signal a reservation change; waiters see it at their safety re-read');
  }
}

/**
 * The clerk page's live list: answers the tenant's version (latestReservationChange) once it is past `after`, or after
 * `seconds` with the latest as it then is. Woken by {@link announceReservationChange}, with the waiter's safety
 * re-read (platform/settled-waiter.ts): no polling loop in the browser.
 */
export async function waitForReservationChange(
  deps: Deps,
  tenantId: string,
  after: number,
  seconds: number,
): Promise<number> {
  const signal = { topic: RESERVATIONS_TOPIC, key: tenantId };
  // Watching begins before the first read: a change committed after it cannot be missed.
  const watch = watchSettled(deps.signals, signal);
  try {
    const initial = await latestReservationChange(deps.db.kysely, tenantId);
    return await waitUntilSettled(deps.signals, deps.clock, signal, {
      initial,
      read: () => latestReservationChange(deps.db.kysely, tenantId),
      done: (latest) => latest > after,
      seconds,
      watch,
    });
  } finally {
    watch.close();
  }
}
