import type { Deps } from '../../platform/deps.js';
import {
  type SettledSignal,
  type SettledWatch,
  waitUntilSettled,
  watchSettled,
} from '../../platform/settled-waiter.js';
import { ensureInvoiceDocuments } from '../documents/index.js';
import { findOrderById } from './orders.repo.js';
import type { ScanOrder } from './scan.tables.js';

const IN_FLIGHT = new Set(['submitted', 'invoicing']);

/**
 * The signal an order's settling (invoiced, failed) sends to every node: wakes every `?wait` on the order. Folded into
 * the statement that settles the order (`signals.foldKeyed`): sent with its commit, never after it.
 */
export const ORDER_SETTLED_TOPIC = 'scan-order.settled';
const settledSignal = (orderId: string): SettledSignal => ({ topic: ORDER_SETTLED_TOPIC, key: orderId });

/**
 * The signal of an order's change short of settling (submitted, invoicing, withdrawn): wakes the `?since=S&wait=N`
 * requests only — a `?wait` on a push waits for settling and does not re-read for these. Published in the
 * transaction of the change (`signals.withTransaction`, or folded into its statement): a rollback wakes nobody and a
 * crash after the commit loses no wake-up.
 */
export const ORDER_CHANGED_TOPIC = 'scan-order.changed';
const changeSignals = (orderId: string): SettledSignal[] => [
  settledSignal(orderId),
  { topic: ORDER_CHANGED_TOPIC, key: orderId },
];

/**
 * `GET …/orders/{orderNo}?since=S&wait=N`: waits at most N seconds until the order's (effective) status is no longer
 * `since` — woken by the order's signals (settled or changed), with the safety re-read of platform/settled-waiter.ts, never a tight poll.
 * An open order that expires meanwhile is seen at the next re-read or request. Returns the latest state either way.
 */
export async function waitForOrderChange(
  deps: Deps,
  order: ScanOrder,
  since: string,
  seconds: number,
): Promise<ScanOrder> {
  const status = (o: ScanOrder) => (o.status === 'open' && o.expires_at <= deps.clock.now() ? 'expired' : o.status);
  return waitUntilSettled(deps.signals, deps.clock, changeSignals(order.id), {
    initial: order,
    read: () => findOrderById(deps.db.kysely, order.id),
    done: (o) => status(o) !== since,
    seconds,
  });
}

/** A watch on an order's settling, begun before the write it waits for (platform/settled-waiter.ts). */
export function watchOrderSettled(deps: Pick<Deps, 'signals'>, orderId: string): SettledWatch {
  return watchSettled(deps.signals, settledSignal(orderId));
}

/**
 * `?wait=N` on an order pushed with its title: waits at most N seconds (platform/settled-waiter.ts) until it is
 * invoiced (with its PDF rendered) or failed; returns the latest state either way. With a complete `watch` begun
 * before the order was inserted, the wait skips its first read (the order as inserted is `order`).
 */
export async function waitForOrder(
  deps: Deps,
  order: ScanOrder,
  seconds: number,
  watch?: SettledWatch,
): Promise<ScanOrder> {
  const current = await waitUntilSettled(deps.signals, deps.clock, settledSignal(order.id), {
    initial: order,
    read: () => findOrderById(deps.db.kysely, order.id),
    done: (o) => !IN_FLIGHT.has(o.status),
    seconds,
    ...(watch ? { watch } : {}),
  });
  if (current.status === 'invoiced' && current.invoice_id) await ensureInvoiceDocuments(deps, current.invoice_id);
  return current;
}
