import type { Deps } from '../../platform/deps.js';
import { settledWaiter } from '../../platform/settled-waiter.js';
import type { InvoiceStatus } from './invoice-state-machine.js';
import { findInvoiceById } from './invoicing.repo.js';
import type { Invoice } from './invoicing.tables.js';

const IN_FLIGHT: readonly InvoiceStatus[] = ['pending', 'issuing'];
const isSettled = (invoice: Invoice) => !IN_FLIGHT.includes(invoice.status);
const waitKey = (invoiceId: string) => `invoice:${invoiceId}`;

/** Called by the issue task after committing a final state, to wake `?wait` requests in this process at once. */
export function announceSettled(invoiceId: string): void {
  settledWaiter.announce(waitKey(invoiceId));
}

/**
 * `?wait=N`: waits until the request leaves pending/issuing, at most `seconds` (platform/settled-waiter.ts). Returns
 * the settled invoice, or null when it is still in flight.
 */
export async function waitForSettled(deps: Deps, invoice: Invoice, seconds: number): Promise<Invoice | null> {
  const last = await settledWaiter.waitUntil(deps.clock, waitKey(invoice.id), {
    initial: invoice,
    read: () => findInvoiceById(deps.db.kysely, invoice.id),
    done: isSettled,
    seconds,
  });
  return isSettled(last) ? last : null;
}
