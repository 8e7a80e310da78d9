/**
 * The personal folder's list (docs/assistant.md#personal-folder): the employee's items as the pool shows them (the
 * same view, the same usage: claimed by which bills, booked by which voucher), filtered by the pool's usage status
 * (报销状态, src/tax/usage-statuses.ts), number and issue date.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/database.js';
import type { Page } from '../../../platform/db/pagination.js';
import type { UsageStatus } from '../../../tax/index.js';
import { listReceivedInvoices, type ReceivedInvoice } from '../../collection/index.js';
import { folderIdsOf } from './folder.repo.js';

/** The most items a folder list considers (the newest). */
export const FOLDER_LIST_CAP = 5000;

export interface FolderQuery {
  status?: UsageStatus | 'all' | undefined;
  q?: string | undefined;
  /** Issue dates (YYYY-MM-DD), inclusive. */
  from?: string | undefined;
  to?: string | undefined;
  cursor?: string | undefined;
  limit?: number | undefined;
}

/** One page of an employee's folder (newest items first); the status filter is the pool's (`usage`). */
export async function listFolder(
  db: Kysely<Database>,
  tenantId: string,
  employeeId: string,
  query: FolderQuery,
): Promise<Page<ReceivedInvoice>> {
  const ids = await folderIdsOf(db, tenantId, employeeId, FOLDER_LIST_CAP);
  if (ids.length === 0) return { items: [], nextCursor: null };
  return listReceivedInvoices(
    db,
    tenantId,
    {
      ids,
      ...(query.status && query.status !== 'all' ? { usage: query.status } : {}),
      ...(query.q ? { q: query.q } : {}),
      ...(query.from ? { issueDateFrom: query.from } : {}),
      ...(query.to ? { issueDateTo: query.to } : {}),
    },
    { ...(query.cursor ? { cursor: query.cursor } : {}), limit: query.limit ?? 50 },
  );
}
