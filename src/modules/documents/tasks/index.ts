import type { Deps } from '../../../platform/deps.js';
import { isAppError } from '../../../platform/errors/app-error.js';
import { PermanentJobError, type TaskRegistry } from '../../../platform/jobs/index.js';
import { DOCUMENT_NOT_AVAILABLE } from '../documents.errors.js';
import { documentsContext } from '../documents-context.js';
import { ensureInvoiceDocuments } from '../ensure-documents.js';

declare module '../../../platform/jobs/index.js' {
  interface TaskPayloads {
    'documents/render-invoice': { invoiceId: string };
  }
}

/**
 * The documents module's task: `documents/render-invoice` renders and stores an issued invoice's PDF, OFD and XML
 * (idempotent; enqueue it with jobKey `render-invoice:{invoiceId}`). Also prepares the module's runtime state
 * (blob store, link signing key) while the runtime is built.
 */
export function registerDocumentsTasks(registry: TaskRegistry, deps: Deps): void {
  documentsContext(deps);
  registry.define('documents/render-invoice', {
    handler: async (payload) => {
      try {
        await ensureInvoiceDocuments(deps, payload.invoiceId);
      } catch (err) {
        // Not issued (or gone): retrying cannot help.
        if (isAppError(err) && err.code === DOCUMENT_NOT_AVAILABLE.code) throw new PermanentJobError(err.message);
        throw err;
      }
    },
    maxAttempts: 8,
    validate: (payload) =>
      typeof (payload as { invoiceId?: unknown })?.invoiceId === 'string' ? null : 'payload.invoiceId must be a string',
  });
}
