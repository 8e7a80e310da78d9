import type { Deps } from '../../platform/deps.js';
import { ctxOf } from '../../platform/deps.js';
import { AppError } from '../../platform/errors/app-error.js';
import { usageAllowsDelete } from '../../tax/index.js';
import { type AuditMeta, withAudit } from '../audit/index.js';
import { RECEIVED_INVOICE_IN_USE, RECEIVED_INVOICE_NOT_FOUND } from './collection.errors.js';
import { RECOMPUTE_AFTER_REMOVAL_TASK } from './compliance/recompute-task-id.js';
import { refreshDuplicates } from './intake.js';
import { findReceivedInvoice, updateReceivedInvoice } from './received.repo.js';

/**
 * Deletes an item while it is unused (soft: `deleted_at`; its file stays, so uploading the file again brings the
 * item back), in one transaction with its audit entry. A deleted item no longer counts as a duplicate: the items
 * that pointed at it are pointed at the oldest remaining one, and their compliance is recomputed by a job enqueued in
 * the same transaction.
 */
export async function deleteReceivedInvoice(
  deps: Deps,
  input: { tenantId: string; id: string; audit: AuditMeta },
): Promise<void> {
  const now = deps.clock.now();
  await withAudit(
    { ...ctxOf(deps), jobs: deps.jobs },
    input.audit,
    async ({ db }) => {
      const item = await findReceivedInvoice(db, input.tenantId, input.id);
      if (!item) throw new AppError(RECEIVED_INVOICE_NOT_FOUND);
      if (!usageAllowsDelete(item.usage_status)) {
        throw new AppError(RECEIVED_INVOICE_IN_USE, undefined, { usageStatus: item.usage_status });
      }
      const deleted = await updateReceivedInvoice(
        db,
        input.tenantId,
        item.id,
        { deleted_at: now, updated_at: now },
        { usageStatus: 'unused' },
      );
      if (!deleted) throw new AppError(RECEIVED_INVOICE_IN_USE);
      await refreshDuplicates(db, item, now);
      // The compliance of its duplicates is recomputed by a job, enqueued here: durable, not in the request.
      if (item.number !== null) {
        await deps.jobs.enqueue(
          db,
          RECOMPUTE_AFTER_REMOVAL_TASK,
          { tenantId: input.tenantId, removedId: item.id, number: item.number },
          { tenantId: input.tenantId },
        );
      }
      return item;
    },
    (item) => ({
      action: 'received.delete',
      target: { type: 'received_invoice', id: item.id },
      before: {
        kind: item.kind,
        code: item.code,
        number: item.number,
        issueDate: item.issue_date,
        sellerTaxId: item.seller_tax_id,
        total: item.total_fen,
        source: item.source,
        fileId: item.file_id,
      },
      after: null,
    }),
  );
  deps.jobs.notify();
}
