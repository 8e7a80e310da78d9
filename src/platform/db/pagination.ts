import { type SelectQueryBuilder, sql } from 'kysely';

/** One page of a list ordered by id descending, and the cursor of the next page (null on the last one). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * Cursor pagination convention: query `limit + 1` rows with `id < cursor` ordered by id descending (ids sort by
 * creation), then cut here — the extra row only tells that another page exists.
 */
export function toPage<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? (items[items.length - 1]?.id ?? null) : null };
}

/**
 * Runs a list query as one page of that convention: adds `id < cursor`, orders by id descending, reads `limit + 1`
 * rows and cuts them with {@link toPage}. `query` carries the list's own filters; its `id` must be unambiguous.
 */
export async function fetchPage<DB, TB extends keyof DB, T extends { id: string }>(
  query: SelectQueryBuilder<DB, TB, T>,
  page: { cursor?: string | null | undefined; limit: number },
): Promise<Page<T>> {
  const id = sql.ref<string>('id');
  const rows = await (page.cursor ? query.where(id, '<', page.cursor) : query)
    .orderBy(id, 'desc')
    .limit(page.limit + 1)
    .execute();
  return toPage(rows, page.limit);
}
