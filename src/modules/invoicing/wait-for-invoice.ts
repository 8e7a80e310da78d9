import { EventEmitter } from 'node:events';
import type { Deps } from '../../platform/deps.js';
import type { InvoiceStatus } from './invoice-state-machine.js';
import { findInvoiceById } from './invoicing.repo.js';
import type { Invoice } from './invoicing.tables.js';

const IN_FLIGHT: readonly InvoiceStatus[] = ['pending', 'issuing'];
/** Fallback poll for invoices settled by a worker in another process (multi-node). */
const POLL_MS = 200;

const settled = new EventEmitter();
settled.setMaxListeners(0);

/** Called by the issue task after committing a final state, to wake `?wait` requests in this process at once. */
export function announceSettled(invoiceId: string): void {
  settled.emit(invoiceId);
}

/**
 * `?wait=N`: waits until the request leaves pending/issuing, at most `seconds`. Woken at once when this process's
 * worker settles it; otherwise re-reads the stored state every 200 ms (the worker may run elsewhere). Returns the
 * settled invoice, or null when it is still in flight.
 */
export async function waitForSettled(deps: Deps, invoice: Invoice, seconds: number): Promise<Invoice | null> {
  if (!IN_FLIGHT.includes(invoice.status)) return invoice;
  if (seconds <= 0) return null;
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        settled.off(invoice.id, done);
        resolve();
      };
      const timer = setTimeout(done, Math.min(POLL_MS, Math.max(0, deadline - Date.now())));
      settled.on(invoice.id, done);
    });
    const current = await findInvoiceById(deps.db.kysely, invoice.id);
    if (current && !IN_FLIGHT.includes(current.status)) return current;
  }
  return null;
}
