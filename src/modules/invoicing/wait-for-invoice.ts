import type { Deps } from '../../platform/deps.js';
import {
  type SettledSignal,
  type SettledWatch,
  waitUntilSettled,
  watchSettled,
} from '../../platform/settled-waiter.js';
import type { FoldedSignal } from '../../platform/signals/index.js';
import type { InvoiceStatus } from './invoice-state-machine.js';
import { withReds } from './invoice-view.js';
import { findInvoiceWithReds } from './invoicing.repo.js';
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
 * The settled signal folded into the statement that settles the invoice (platform signals `fold`): pass `sql` to
 * `transitionInvoiceSignalled` inside the settling transaction and call `afterCommit()` once it committed with the
 * transition made. Costs no statement of its own on PostgreSQL (the `pg_notify` rides the transition's UPDATE).
 */
export function foldSettled(deps: Pick<Deps, 'signals'>, invoiceId: string): FoldedSignal {
  return deps.signals.fold(INVOICE_SETTLED_TOPIC, invoiceId);
}

/** A watch on an invoice's settling, begun before the write it waits for (platform/settled-waiter.ts). */
export function watchInvoiceSettled(deps: Pick<Deps, 'signals'>, invoiceId: string): SettledWatch {
  return watchSettled(deps.signals, settledSignal(invoiceId));
}

/**
 * `?wait=N`: waits until the request leaves pending/issuing, at most `seconds` (platform/settled-waiter.ts: one read,
 * then one per signal; no first read with a complete `watch` begun before the request was written). Each read also
 * fetches the red invoices against it (one statement), which the view then uses. Returns the settled invoice, or
 * null when it is still in flight.
 */
export async function waitForSettled(
  deps: Deps,
  invoice: Invoice,
  seconds: number,
  watch?: SettledWatch,
): Promise<Invoice | null> {
  const last = await waitUntilSettled(deps.signals, deps.clock, settledSignal(invoice.id), {
    initial: invoice,
    read: async () => {
      const found = await findInvoiceWithReds(deps.db.kysely, invoice.tenant_id, invoice.id);
      return found && withReds(found.invoice, found.reds);
    },
    done: isSettled,
    seconds,
    ...(watch ? { watch } : {}),
  });
  return isSettled(last) ? last : null;
}

export type { SettledWatch } from '../../platform/settled-waiter.js';
