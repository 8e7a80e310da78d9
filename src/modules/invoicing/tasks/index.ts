import type { Deps } from '../../../platform/deps.js';
import type { TaskRegistry } from '../../../platform/jobs/index.js';
import { reconcileDeadIssue, runIssueInvoice } from './issue-invoice.task.js';
import { failStuckRed, runApplyRedForm, runCheckRedForm } from './red-form.tasks.js';

declare module '../../../platform/jobs/index.js' {
  interface TaskPayloads {
    'invoicing/issue-invoice': { invoiceId: string };
    'invoicing/apply-red-form': { invoiceId: string };
    'invoicing/check-red-form': { invoiceId: string };
  }
}

const hasInvoiceId = (payload: unknown): string | null =>
  typeof (payload as { invoiceId?: unknown })?.invoiceId === 'string' ? null : 'payload.invoiceId must be a string';

/** The invoicing module's background tasks. */
export function registerInvoicingTasks(registry: TaskRegistry, deps: Deps): void {
  registry.define('invoicing/issue-invoice', {
    handler: (payload, helpers) => runIssueInvoice(deps, payload.invoiceId, helpers),
    onDead: (payload, { job }) =>
      reconcileDeadIssue(deps, payload.invoiceId, { logger: deps.logger.child({ jobId: job.id }) }),
    maxAttempts: 12,
    validate: hasInvoiceId,
  });
  registry.define('invoicing/apply-red-form', {
    handler: (payload, helpers) => runApplyRedForm(deps, payload.invoiceId, helpers),
    onDead: (payload) => failStuckRed(deps, payload.invoiceId),
    maxAttempts: 12,
    validate: hasInvoiceId,
  });
  registry.define('invoicing/check-red-form', {
    handler: (payload) => runCheckRedForm(deps, payload.invoiceId),
    onDead: (payload) => failStuckRed(deps, payload.invoiceId),
    maxAttempts: 12,
    validate: hasInvoiceId,
  });
}
