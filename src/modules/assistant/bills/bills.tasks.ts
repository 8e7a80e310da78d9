import type { Deps } from '../../../platform/deps.js';
import { EventTaskPayload } from '../../../platform/events.js';
import {
  DEFAULT_TASK_ATTEMPTS,
  defineTask,
  type TaskPayloadsOf,
  type TaskRegistry,
} from '../../../platform/jobs/index.js';
import { registerUsageLoader } from '../../collection/index.js';
import { mayHaveWebhookSubscribers, registerEventSource } from '../../delivery/index.js';
import { BILL_EVENTS, loadBillEventSource, publishBillEvent, VOUCHER_EVENTS } from './bill-events.js';
import { findBillInvoices, findBillsByPks, findBindingsOfInvoices, setBillAlerts } from './bills.repo.js';
import { billAlertsJson } from './stored-json.js';
import { usageOf } from './usage.js';

/** Verification results that make a bound invoice an alert on its bills. */
export const ALERT_STATUSES: readonly string[] = ['red_reversed', 'partly_red', 'void'];

/**
 * An invoice was verified red-reversed, partly red-reversed or void (`received.verified`, enqueued in the
 * verification's transaction): every bill binding it gets an alert (once per status) and `bill.invoice_changed`, in
 * one transaction. (What remains to claim follows from the item itself: the pool view and billSave compute it.) Nothing more to do when no bill binds it.
 */
export const billInvoiceChangedTask = defineTask({
  id: 'assistant/bill-invoice-changed',
  payload: EventTaskPayload,
  maxAttempts: DEFAULT_TASK_ATTEMPTS,
  jobKey: (payload) => payload.event.id,
  handler: async (deps: Deps, payload) => {
    const { tenantId, subjectId: invoiceId, data } = payload.event;
    const status = typeof data?.status === 'string' ? data.status : '';
    if (!ALERT_STATUSES.includes(status)) return;
    const now = deps.clock.now();
    await deps.db.kysely.transaction().execute(async (trx) => {
      const bindings = await findBindingsOfInvoices(trx, tenantId, [invoiceId]);
      if (bindings.length === 0) return;
      // Locked (PostgreSQL): two alerts for one bill must not overwrite each other's alerts_json; bills first, as
      // billSave locks them, so the two never wait on each other in a circle.
      const bills = await findBillsByPks(
        trx,
        tenantId,
        bindings.map((b) => b.bill_pk),
        deps.db.dialect,
      );
      for (const bill of bills) {
        const alerts = bill.alerts_json === null ? [] : billAlertsJson.decode(bill.alerts_json);
        if (alerts.some((a) => a.invoiceId === invoiceId && a.status === status)) continue;
        await setBillAlerts(
          trx,
          tenantId,
          bill.id,
          billAlertsJson.encode([...alerts, { invoiceId, status, at: now }]),
          now,
        );
        const invoices = await findBillInvoices(trx, tenantId, [bill.id]);
        await publishBillEvent(
          deps,
          trx,
          'bill.invoice_changed',
          bill,
          invoices.map((b) => ({ invoiceId: b.received_invoice_id, amountFen: Number(b.amount_fen) })),
          now,
          {
            invoiceId,
            verificationStatus: status,
            ...(typeof data?.previousStatus === 'string' ? { previousStatus: data.previousStatus } : {}),
          },
          `${invoiceId}:${status}`,
        );
      }
    });
  },
});

const BILLS_TASKS = [billInvoiceChangedTask] as const;

declare module '../../../platform/jobs/index.js' {
  interface TaskPayloads extends TaskPayloadsOf<typeof BILLS_TASKS> {}
}

/**
 * Bills and vouchers in the other modules' registries: the pool's usage (报销状态) loader, red/void alerts after
 * verification, the webhook payloads and fan-out of bill and voucher events. Every process runs it.
 */
export function registerBillsTasks(registry: TaskRegistry, deps: Deps): void {
  registry.register(deps, BILLS_TASKS);
  registerUsageLoader(usageOf);
  deps.events.subscribe('received.verified', billInvoiceChangedTask.id, (event) =>
    ALERT_STATUSES.includes(String(event.data?.status ?? '')),
  );
  registerEventSource('bill', loadBillEventSource);
  registerEventSource('voucher', loadBillEventSource);
  deps.events.subscribe([...BILL_EVENTS, ...VOUCHER_EVENTS], 'delivery/fan-out-event', (event, db) =>
    mayHaveWebhookSubscribers(deps, db, event),
  );
}
