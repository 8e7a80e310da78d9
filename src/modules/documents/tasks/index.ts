import { Type } from 'typebox';
import type { Deps } from '../../../platform/deps.js';
import { isAppError } from '../../../platform/errors/app-error.js';
import { defineTask, PermanentJobError, type TaskPayloadsOf, type TaskRegistry } from '../../../platform/jobs/index.js';
import { registerIssuedFilesRenderer } from '../../invoicing/index.js';
import { DOCUMENT_NOT_AVAILABLE } from '../documents.errors.js';
import { documentsContext } from '../documents-context.js';
import { ensureInvoiceDocuments, renderIssuedDocuments } from '../ensure-documents.js';

/** Attempts of a render (≈ 30 min of retries): a file that fails eight times has a bug, not a passing problem. */
export const RENDER_ATTEMPTS = 8;

/**
 * `documents/render-invoice` renders and stores an issued invoice's PDF, OFD and XML (idempotent; one job per
 * invoice, keyed by its id). The issue job normally makes the files itself; it enqueues this job when it could not.
 */
export const renderInvoiceTask = defineTask({
  id: 'documents/render-invoice',
  payload: Type.Object({ invoiceId: Type.String() }),
  maxAttempts: RENDER_ATTEMPTS,
  jobKey: (payload) => payload.invoiceId,
  handler: async (deps: Deps, payload) => {
    try {
      await ensureInvoiceDocuments(deps, payload.invoiceId);
    } catch (err) {
      // Not issued (or gone): retrying cannot help.
      if (isAppError(err) && err.code === DOCUMENT_NOT_AVAILABLE.code) throw new PermanentJobError(err.message);
      throw err;
    }
  },
});

const DOCUMENTS_TASKS = [renderInvoiceTask] as const;

declare module '../../../platform/jobs/index.js' {
  interface TaskPayloads extends TaskPayloadsOf<typeof DOCUMENTS_TASKS> {}
}

/**
 * The documents module's task. Also prepares the module's runtime state (blob store, link signing key) while the
 * runtime is built.
 */
export function registerDocumentsTasks(registry: TaskRegistry, deps: Deps): void {
  documentsContext(deps);
  registry.register(deps, DOCUMENTS_TASKS);
  // The issue job renders the files itself and records them with the issued invoice; this task is its fallback.
  registerIssuedFilesRenderer(renderIssuedDocuments);
}
