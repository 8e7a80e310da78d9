import type { Deps } from '../../platform/deps.js';
import { classifyTaxId } from '../../tax/index.js';
import { decodeStoredBuyer, listIssuedBuyersSince } from '../invoicing/index.js';
import { directoryWatermark, upsertDirectoryEntries } from './buyer-directory.repo.js';

/** Invoices issued this long before the directory's newest entry are read again (commits that landed late). */
const LATE_MARGIN_MS = 10 * 60_000;
/** At most this many of the newest invoices are read per refresh (a buyer seen again is learnt again later). */
const REFRESH_LIMIT = 2000;
/** A tenant's directory is refreshed at most this often per process. */
const REFRESH_EVERY_MS = 5_000;

const lastRefresh = new Map<string, number>();

/**
 * Brings 抬头联想's buyer directory up to date with the tenant's issued invoices before a search: the company buyers
 * (a tax id that is not a 身份证 number, no natural-person flag) of invoices issued since its newest entry. Done on
 * the (rate-limited) suggestion path instead of a job per issued invoice, so issuing pays nothing for it (#12's
 * statement budget); at most once per {@link REFRESH_EVERY_MS} per tenant and process.
 */
export async function refreshDirectory(deps: Deps, tenantId: string): Promise<void> {
  const now = deps.clock.now();
  const last = lastRefresh.get(tenantId);
  if (last !== undefined && now - last < REFRESH_EVERY_MS) return;
  if (lastRefresh.size > 10_000) lastRefresh.clear();
  lastRefresh.set(tenantId, now);
  const db = deps.db.kysely;
  const newest = await directoryWatermark(db, tenantId);
  const invoices = await listIssuedBuyersSince(
    db,
    tenantId,
    newest === null ? 0 : newest - LATE_MARGIN_MS,
    REFRESH_LIMIT,
  );
  const byTaxId = new Map<string, { tenant_id: string; tax_id: string; name: string; last_used_at: number }>();
  for (const invoice of invoices) {
    const taxId = invoice.buyer_tax_id;
    if (!taxId || byTaxId.has(taxId)) continue; // newest first: the first one seen is the latest name
    const buyer = decodeStoredBuyer(invoice.buyer_json);
    if (buyer.naturalPerson === true) continue;
    // A natural person's 身份证 number is never a company's tax id, whatever the request said.
    const kind = classifyTaxId(taxId, { allowResidentId: true });
    if (!kind.ok || kind.kind === 'resident_id') continue;
    byTaxId.set(taxId, {
      tenant_id: tenantId,
      tax_id: taxId,
      name: invoice.buyer_name,
      last_used_at: Number(invoice.issued_at),
    });
  }
  await upsertDirectoryEntries(db, [...byTaxId.values()]);
}
