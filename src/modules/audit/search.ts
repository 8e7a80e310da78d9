import { fetchPage, type Page } from '../../platform/db/pagination.js';
import type { Ctx } from '../../platform/deps.js';
import { type AuditSearch, searchAuditQuery } from './audit.repo.js';
import type { AuditEntryRow } from './audit.tables.js';

/** One page of a tenant's audit entries, newest first, filtered by actor, action, target and time. */
export async function searchAudit(
  { db }: Pick<Ctx, 'db'>,
  search: AuditSearch,
  page: { cursor?: string | undefined; limit: number },
): Promise<Page<AuditEntryRow>> {
  return fetchPage(searchAuditQuery(db, search), page);
}

/** Every matching entry, newest first, a page at a time (for the streamed CSV export). */
export async function* allAuditEntries(ctx: Pick<Ctx, 'db'>, search: AuditSearch): AsyncGenerator<AuditEntryRow> {
  let cursor: string | undefined;
  for (;;) {
    const page = await searchAudit(ctx, search, { cursor, limit: 500 });
    yield* page.items;
    if (page.nextCursor === null) return;
    cursor = page.nextCursor;
  }
}
