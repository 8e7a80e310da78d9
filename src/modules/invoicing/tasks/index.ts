import { Type } from 'typebox';
import type { Deps } from '../../../platform/deps.js';
import {
  DEFAULT_TASK_ATTEMPTS,
  defineTask,
  type TaskPayloadsOf,
  type TaskRegistry,
} from '../../../platform/jobs/index.js';
import { reconcileDeadIssue, runIssueInvoice } from './issue-invoice.task.js';
import { failStuckRed, runApplyRedForm, runCheckRedForm } from './red-form.tasks.js';

const InvoicePayload = Type.Object({ invoiceId: Type.String() });

/** Issues an invoice's current revision; enqueue with `key: {invoiceId}:{revision}` (one job per revision). */
export const issueInvoiceTask = defineTask({
  id: 'invoicing/issue-invoice',
  payload: InvoicePayload,
  maxAttempts: DEFAULT_TASK_ATTEMPTS,
  handler: (deps: Deps, payload, helpers) => runIssueInvoice(deps, payload.invoiceId, helpers),
  onDead: (deps, payload, { job }) =>
    reconcileDeadIssue(deps, payload.invoiceId, { logger: deps.logger.child({ jobId: job.id }) }),
});

/** Applies for a red invoice's red-letter form (one job per red invoice). */
export const applyRedFormTask = defineTask({
  id: 'invoicing/apply-red-form',
  payload: InvoicePayload,
  maxAttempts: DEFAULT_TASK_ATTEMPTS,
  jobKey: (payload) => payload.invoiceId,
  handler: (deps: Deps, payload, helpers) => runApplyRedForm(deps, payload.invoiceId, helpers),
  onDead: (deps, payload) => failStuckRed(deps, payload.invoiceId),
});

/** Checks a red-letter form the buyer has to confirm; enqueue with `key: {invoiceId}:{confirmBy}`. */
export const checkRedFormTask = defineTask({
  id: 'invoicing/check-red-form',
  payload: InvoicePayload,
  maxAttempts: DEFAULT_TASK_ATTEMPTS,
  handler: (deps: Deps, payload) => runCheckRedForm(deps, payload.invoiceId),
  onDead: (deps, payload) => failStuckRed(deps, payload.invoiceId),
});

const INVOICING_TASKS = [issueInvoiceTask, applyRedFormTask, checkRedFormTask] as const;

declare module '../../../platform/jobs/index.js' {
  interface TaskPayloads extends TaskPayloadsOf<typeof INVOICING_TASKS> {}
}

/** The invoicing module's background tasks. */
export function registerInvoicingTasks(registry: TaskRegistry, deps: Deps): void {
  registry.register(deps, INVOICING_TASKS);
}
