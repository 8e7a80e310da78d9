import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/database.js';
import type { ReceivedInvoice, UsageStatus } from './collection.tables.js';
import { setUsageStatus } from './received.repo.js';

/**
 * Sets the usage status (报销状态: `unused` | `claimed` | `booked`) of received invoices, in the caller's transaction
 * (the assistant module's bill and voucher saves keep it in step with their bindings). Answers how many live items
 * changed: fewer than `ids` means some were deleted meanwhile (the caller refuses then). Deleting an item stays
 * possible only while it is `unused`.
 */
export async function setReceivedUsage(
  trx: Kysely<Database>,
  tenantId: string,
  ids: readonly string[],
  status: UsageStatus,
): Promise<number> {
  return setUsageStatus(trx, tenantId, [...new Set(ids)], status);
}

/**
 * What of a received invoice may be claimed at most, in fen: its 价税合计 less what red invoices reversed of it (部分红冲,
 * as the last verification found); 0 when the total is unknown.
 */
export function claimableFen(item: Pick<ReceivedInvoice, 'total_fen' | 'red_total_fen'>): number {
  if (item.total_fen === null) return 0;
  return Math.max(0, Number(item.total_fen) + Math.min(0, Number(item.red_total_fen ?? 0)));
}
