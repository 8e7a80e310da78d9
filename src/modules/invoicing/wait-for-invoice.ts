import type { Deps } from '../../platform/deps.js';
import { findInvoiceById } from './invoicing.repo.js';
import type { Invoice, InvoiceStatus } from './invoicing.tables.js';

const IN_FLIGHT: readonly InvoiceStatus[] = ['pending', 'issuing'];
const POLL_MS = 15;

/**
 * `?wait=N`: polls the stored state (so it works whichever process runs the job) until the request leaves
 * pending/issuing, at most `seconds`. Returns the settled invoice, or null when it is still in flight.
 */
export async function waitForSettled(deps: Deps, invoice: Invoice, seconds: number): Promise<Invoice | null> {
  if (!IN_FLIGHT.includes(invoice.status)) return invoice;
  if (seconds <= 0) return null;
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    const current = await findInvoiceById(deps.db.kysely, invoice.id);
    if (current && !IN_FLIGHT.includes(current.status)) return current;
  }
  return null;
}
