import type { Deps } from '../../platform/deps.js';
import { type SettledSignal, waitUntilSettled } from '../../platform/settled-waiter.js';
import type { InvoiceStatus } from './invoice-state-machine.js';
import { findInvoiceById } from './invoicing.repo.js';
import type { Invoice } from './invoicing.tables.js';

const IN_FLIGHT: readonly InvoiceStatus[] = ['pending', 'issuing'];
const isSettled = (invoice: Invoice) => !IN_FLIGHT.includes(invoice.status);

/** The signal an invoice's settling sends (to every node: the waiter may be on another one). */
export const INVOICE_SETTLED_TOPIC = 'invoice.settled';
const settledSignal = (invoiceId: string): SettledSignal => ({ topic: INVOICE_SETTLED_TOPIC, key: invoiceId });

/**
 * Called by the issue task after committing a final state: wakes `?wait` requests for the invoice on every node (one
 * `select pg_notify` on PostgreSQL). A failure to publish is logged, not thrown: the work is committed, and waiters
 * still see it at their safety re-read (platform/settled-waiter.ts).
 */
export async function announceSettled(deps: Pick<Deps, 'signals' | 'logger'>, invoiceId: string): Promise<void> {
  try {
    await deps.signals.publish(INVOICE_SETTLED_TOPIC, invoiceId);
  } catch (err) {
    deps.logger.warn({ err, invoiceId }, 'could not signal a settled invoice; waiters see it at their safety re-read');
  }
}

/**
 * `?wait=N`: waits until the request leaves pending/issuing, at most `seconds` (platform/settled-waiter.ts: one read,
 * then one per signal). Returns the settled invoice, or null when it is still in flight.
 */
export async function waitForSettled(deps: Deps, invoice: Invoice, seconds: number): Promise<Invoice | null> {
  const last = await waitUntilSettled(deps.signals, deps.clock, settledSignal(invoice.id), {
    initial: invoice,
    read: () => findInvoiceById(deps.db.kysely, invoice.id),
    done: isSettled,
    seconds,
  });
  return isSettled(last) ? last : null;
}
