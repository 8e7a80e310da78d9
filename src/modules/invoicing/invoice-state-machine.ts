/**
 * The invoice state machine: the states, and the one table of transitions (from, event, to) that every status
 * change goes through (`transitionInvoice` in invoicing.repo.ts). docs/invoicing.md#states shows the same table, in
 * the same order; a test fails when they differ. Pure: no I/O.
 */

/** Invoice states shared by the API, the console and webhooks (design §4). */
export const INVOICE_STATUSES = [
  'pending',
  'issuing',
  'issued',
  'failed',
  'cancelled',
  'red_pending',
  'reversed',
  'partially_reversed',
] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

/** Every request (blue or red) is stored in this state, with its first job. */
/** The states of an invoice the channel has issued (it has a number, a date and its files), blue or red. */
export const ISSUED_INVOICE_STATUSES: readonly InvoiceStatus[] = [
  'issued',
  'red_pending',
  'reversed',
  'partially_reversed',
];

/** True when the invoice is in a state that follows its issue. */
export function wasIssued(status: InvoiceStatus): boolean {
  return ISSUED_INVOICE_STATUSES.includes(status);
}

export const INITIAL_INVOICE_STATUS = 'pending' as const satisfies InvoiceStatus;

/**
 * Every allowed status change. An event may leave several states; it always arrives in one. Red invoices go
 * through the same issue rows as blue ones; the `red_*` rows on `red_pending` move the blue invoice a red reverses.
 */
export const INVOICE_TRANSITIONS = [
  // A transient channel error is noted on the request while the job retries; from here on it cannot be cancelled.
  { from: 'pending', event: 'issue_deferred', to: 'issuing' },
  { from: 'issuing', event: 'issue_deferred', to: 'issuing' },
  // The channel answered with a number: straight from pending on the happy path, from issuing after a deferral.
  { from: 'pending', event: 'issued', to: 'issued' },
  { from: 'issuing', event: 'issued', to: 'issued' },
  // The channel refused, transient errors outlasted the attempts, the seller was unbound, the job went dead.
  { from: 'pending', event: 'issue_failed', to: 'failed' },
  { from: 'issuing', event: 'issue_failed', to: 'failed' },
  // A red request's confirmation form was rejected, expired, or could not be applied for.
  { from: 'pending', event: 'red_form_failed', to: 'failed' },
  // PATCH of a failed blue request: new data, still failed until retried.
  { from: 'failed', event: 'patched', to: 'failed' },
  { from: 'failed', event: 'retried', to: 'pending' },
  { from: 'pending', event: 'cancelled', to: 'cancelled' },
  { from: 'failed', event: 'cancelled', to: 'cancelled' },
  // Blue invoice: one red in flight at a time.
  { from: 'issued', event: 'red_requested', to: 'red_pending' },
  { from: 'partially_reversed', event: 'red_requested', to: 'red_pending' },
  { from: 'red_pending', event: 'red_issued_full', to: 'reversed' },
  { from: 'red_pending', event: 'red_issued_partial', to: 'partially_reversed' },
  // The red failed or was cancelled: the blue invoice returns to the state it had before.
  { from: 'red_pending', event: 'red_released_to_issued', to: 'issued' },
  { from: 'red_pending', event: 'red_released_to_partial', to: 'partially_reversed' },
] as const satisfies readonly { from: InvoiceStatus; event: string; to: InvoiceStatus }[];

export type InvoiceStateEvent = (typeof INVOICE_TRANSITIONS)[number]['event'];

/** The states `event` may leave (in table order). */
export function transitionSources(event: InvoiceStateEvent): InvoiceStatus[] {
  return INVOICE_TRANSITIONS.filter((t) => t.event === event).map((t) => t.from);
}

/** The state `event` arrives in (one per event; a unit test holds the table to that). */
export function transitionTarget(event: InvoiceStateEvent): InvoiceStatus {
  const row = INVOICE_TRANSITIONS.find((t) => t.event === event);
  if (!row) throw new Error(`unknown invoice state event ${event}`);
  return row.to;
}

/** Where `event` takes an invoice in `status`, or null when the table has no such transition. */
export function nextInvoiceStatus(status: InvoiceStatus, event: InvoiceStateEvent): InvoiceStatus | null {
  return INVOICE_TRANSITIONS.find((t) => t.from === status && t.event === event)?.to ?? null;
}
