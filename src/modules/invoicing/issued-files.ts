import type { Transaction } from 'kysely';
import type { Database } from '../../platform/db/database.js';
import type { Deps } from '../../platform/deps.js';
import type { Invoice } from './invoicing.tables.js';

/**
 * Makes the files (PDF, OFD, XML) of an invoice the channel has just issued, inside the issue job: called right after
 * the channel answered, outside any transaction (the slow part: rendering on the render threads, storing the blob),
 * with the invoice as it is about to be committed. Returns the write of the file records, which the issue job runs
 * in the transaction that records the invoice as issued, so the invoice, its files, its `invoice.issued` event and the
 * job's completion commit together. The documents module registers it at start (invoicing sits below documents and
 * imports nothing from it). When none is registered, or it throws, the job enqueues `documents/render-invoice` instead.
 */
export type IssuedFilesRenderer = (
  deps: Deps,
  invoice: Invoice,
) => Promise<(trx: Transaction<Database>) => Promise<void>>;

let renderer: IssuedFilesRenderer | undefined;

/** Registers how the issue job makes an issued invoice's files (documents, at start). */
export function registerIssuedFilesRenderer(render: IssuedFilesRenderer): void {
  renderer = render;
}

/** The registered renderer, if any. */
export function issuedFilesRenderer(): IssuedFilesRenderer | undefined {
  return renderer;
}
