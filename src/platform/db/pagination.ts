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
