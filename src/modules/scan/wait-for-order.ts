import type { Deps } from '../../platform/deps.js';
import { settledWaiter } from '../../platform/settled-waiter.js';
import { ensureInvoiceDocuments } from '../documents/index.js';
import { findOrderById } from './orders.repo.js';
import type { ScanOrder } from './scan.tables.js';

const IN_FLIGHT = new Set(['submitted', 'invoicing']);
const waitKey = (orderId: string) => `scan-order:${orderId}`;

/** Called after an order's invoice settled (committed), to wake `?wait` requests in this process. */
export function announceOrderSettled(orderId: string): void {
  settledWaiter.announce(waitKey(orderId));
}

/**
 * `?wait=N` on an order pushed with its title: waits at most N seconds (platform/settled-waiter.ts) until it is
 * invoiced (with its PDF rendered) or failed; returns the latest state either way.
 */
export async function waitForOrder(deps: Deps, order: ScanOrder, seconds: number): Promise<ScanOrder> {
  const current = await settledWaiter.waitUntil(deps.clock, waitKey(order.id), {
    initial: order,
    read: () => findOrderById(deps.db.kysely, order.id),
    done: (o) => !IN_FLIGHT.has(o.status),
    seconds,
  });
  if (current.status === 'invoiced' && current.invoice_id) await ensureInvoiceDocuments(deps, current.invoice_id);
  return current;
}
