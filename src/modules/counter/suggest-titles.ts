import { escapeLike } from '../../platform/db/sql-helpers.js';
import type { Deps } from '../../platform/deps.js';
import { searchDirectory } from './buyer-directory.repo.js';
import { clientKey, enforceLimits, SUGGEST_LIMITS } from './rate-limit.js';
import { refreshDirectory } from './refresh-directory.js';

/** Fewer characters than this suggest nothing (a company name, not a surname). */
export const SUGGEST_MIN_CHARS = 4;
/** Input beyond this is cut before anything else looks at it. */
export const SUGGEST_MAX_CHARS = 50;
export const SUGGEST_LIMIT = 8;

export interface TitleSuggestion {
  name: string;
  taxId: string;
}

/**
 * 抬头联想: company titles of the tenant's own buyer directory whose name contains the typed text. The text is cut
 * to {@link SUGGEST_MAX_CHARS} characters, trimmed and upper-cased, LIKE wildcards escaped (a plain substring
 * match: linear in the name, no pattern of the consumer's); under {@link SUGGEST_MIN_CHARS} characters nothing is
 * looked up. Rate-limited per client and per link (`scope`: the reservation QR or scan link the page belongs to).
 */
export async function suggestTitles(
  deps: Deps,
  tenantId: string,
  scope: string,
  clientIp: string,
  typed: string,
): Promise<TitleSuggestion[]> {
  const text = Array.from(typed.slice(0, SUGGEST_MAX_CHARS * 2))
    .slice(0, SUGGEST_MAX_CHARS)
    .join('')
    .trim()
    .toUpperCase();
  if (Array.from(text).length < SUGGEST_MIN_CHARS) return [];
  const client = clientKey(deps, clientIp);
  await enforceLimits(deps, [
    { name: 'clientPerMinute', scope: 'sc', subject: client, window: 'minute', cap: SUGGEST_LIMITS.clientPerMinute },
    { name: 'clientPerDay', scope: 'sc', subject: client, window: 'day', cap: SUGGEST_LIMITS.clientPerDay },
    { name: 'linkPerMinute', scope: `sl:${scope}`, subject: '', window: 'minute', cap: SUGGEST_LIMITS.linkPerMinute },
  ]);
  const needle = escapeLike(text);
  await refreshDirectory(deps, tenantId);
  const rows = await searchDirectory(deps.db.kysely, tenantId, needle, SUGGEST_LIMIT);
  return rows.map((r) => ({ name: r.name, taxId: r.tax_id }));
}
