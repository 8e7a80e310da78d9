import { EventEmitter } from 'node:events';
import type { Deps } from '../../platform/deps.js';
import { ensureInvoiceDocuments } from '../documents/index.js';
import { findOrderById } from './orders.repo.js';
import type { ScanOrder } from './scan.tables.js';

const IN_FLIGHT = new Set(['submitted', 'invoicing']);
/** Fallback poll for orders settled by a worker in another process. */
const POLL_MS = 200;

const settled = new EventEmitter();
settled.setMaxListeners(0);

/** Called after an order's invoice settled (committed), to wake `?wait` requests in this process. */
export function announceOrderSettled(orderId: string): void {
  settled.emit(orderId);
}

/**
 * `?wait=N` on an order pushed with its title: waits at most N seconds until it is invoiced (with its PDF rendered)
 * or failed; returns the latest state either way.
 */
export async function waitForOrder(deps: Deps, order: ScanOrder, seconds: number): Promise<ScanOrder> {
  let current = order;
  const deadline = Date.now() + seconds * 1000;
  while (IN_FLIGHT.has(current.status) && Date.now() < deadline) {
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        settled.off(order.id, done);
        resolve();
      };
      const timer = setTimeout(done, Math.min(POLL_MS, Math.max(0, deadline - Date.now())));
      settled.on(order.id, done);
    });
    current = (await findOrderById(deps.db.kysely, order.id)) ?? current;
  }
  if (current.status === 'invoiced' && current.invoice_id) await ensureInvoiceDocuments(deps, current.invoice_id);
  return current;
}
