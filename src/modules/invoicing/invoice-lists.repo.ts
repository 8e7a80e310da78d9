import { type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import type { Database } from '../../platform/db/database.js';
import { toPage } from '../../platform/db/pagination.js';
import { escapeLike } from '../../platform/db/sql-helpers.js';
import { toFen } from '../../tax/index.js';
import type { InvoiceStatus } from './invoice-state-machine.js';
import { inSellers } from './invoicing.repo.js';
import type { Invoice, InvoiceOrigin } from './invoicing.tables.js';

export interface InvoiceFilters {
  status?: InvoiceStatus[];
  kind?: string;
  sellerTaxId?: string;
  /** Only these sellers (a clerk's orgs). */
  sellerTaxIds?: readonly string[];
  buyerName?: string;
  buyerTaxId?: string;
  number?: string;
  /** YYYY-MM-DD, China time, inclusive. */
  issuedFrom?: string;
  issuedTo?: string;
  /** Decimal strings on 价税合计. */
  totalMin?: string;
  totalMax?: string;
  isRed?: boolean;
  serialNo?: string;
  /** Only these serial numbers (the console's selected rows). */
  serialNos?: readonly string[];
  businessSystemCode?: string;
  origin?: InvoiceOrigin;
}

const CST_OFFSET_MS = 8 * 3600_000;
const dayStart = (date: string) => Date.parse(`${date}T00:00:00Z`) - CST_OFFSET_MS;

/** A range filter matching at most this many rows is sorted from its range index (see listInvoices). */
const RANGE_SORT_MAX = 200_000;

/** The invoice pool (销项全票池) of a tenant, newest first, cursor-paginated by id. */
export async function listInvoices(
  db: Kysely<Database>,
  tenantId: string,
  filters: InvoiceFilters,
  page: { cursor?: string; limit: number },
): Promise<{ items: Invoice[]; nextCursor: string | null }> {
  // Two steps: the page's ids from an index (the filters' narrow indexes, docs/benchmarks.md#console-scale), then
  // those rows — so a filter never reads the wide rows it skips.
  let ids = withInvoiceFilters(db.selectFrom('invoices').select('id'), tenantId, filters);
  if (page.cursor) ids = ids.where('id', '<', page.cursor);
  // A date or amount range: the planner cannot know that dates follow ids (it would walk the newest ids looking for
  // an old month). When the range holds few enough rows, read them from the range index and sort their ids instead
  // (ordering by an expression keeps the planner off the id-ordered walk).
  const ranged = filters.issuedFrom || filters.issuedTo || filters.totalMin || filters.totalMax;
  const sortRange = ranged && (await countInvoicesUpTo(db, tenantId, filters, RANGE_SORT_MAX + 1)) <= RANGE_SORT_MAX;
  const rows = await db
    .selectFrom('invoices')
    .selectAll()
    .where(
      'id',
      'in',
      ids.orderBy(sortRange ? sql`${sql.ref('id')} || ''` : sql.ref('id'), 'desc').limit(page.limit + 1),
    )
    .orderBy('id', 'desc')
    .execute();
  return toPage(rows, page.limit);
}

/** The columns of an export row (no JSON snapshots: an export reads a narrow row per invoice). */
export const EXPORT_COLUMNS = [
  'id',
  'serial_no',
  'status',
  'kind',
  'is_red',
  'code',
  'number',
  'issued_at',
  'seller_tax_id',
  'buyer_name',
  'buyer_tax_id',
  'amount_fen',
  'tax_fen',
  'total_fen',
  'origin',
  'business_system_code',
  'failure_reason',
  'created_at',
] as const satisfies readonly (keyof Invoice)[];

export type InvoiceExportRow = Pick<Invoice, (typeof EXPORT_COLUMNS)[number]>;

/**
 * One keyset page of an export: up to `limit` rows of the pool with ids below `before` (null: from the newest),
 * newest first. A page is one short indexed query, so an export of any size never holds more than a page.
 */
export async function readInvoiceExportPage(
  db: Kysely<Database>,
  tenantId: string,
  filters: InvoiceFilters,
  before: string | null,
  limit: number,
): Promise<InvoiceExportRow[]> {
  let q = withInvoiceFilters(db.selectFrom('invoices').select(EXPORT_COLUMNS), tenantId, filters);
  if (before !== null) q = q.where('id', '<', before);
  return q.orderBy('id', 'desc').limit(limit).execute();
}

/** How many invoices match, counting no further than `cap` (so the cost is bounded by the cap, not the pool). */
export async function countInvoicesUpTo(
  db: Kysely<Database>,
  tenantId: string,
  filters: InvoiceFilters,
  cap: number,
): Promise<number> {
  const inner = withInvoiceFilters(db.selectFrom('invoices').select('id'), tenantId, filters).limit(cap);
  const row = await db
    .selectFrom(inner.as('matching'))
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The pool's filters on a query of `invoices` (shared by the list, the export and its count). */
function withInvoiceFilters<O>(
  query: SelectQueryBuilder<Database, 'invoices', O>,
  tenantId: string,
  filters: InvoiceFilters,
): SelectQueryBuilder<Database, 'invoices', O> {
  let q = query.where('tenant_id', '=', tenantId);
  if (filters.status?.length) q = q.where('status', 'in', filters.status);
  if (filters.kind) q = q.where('kind', '=', filters.kind);
  if (filters.sellerTaxId) q = q.where('seller_tax_id', '=', filters.sellerTaxId);
  if (filters.sellerTaxIds) q = q.where(inSellers(filters.sellerTaxIds));
  if (filters.buyerTaxId) q = q.where('buyer_tax_id', '=', filters.buyerTaxId);
  if (filters.buyerName) q = q.where(sql<boolean>`buyer_name like ${`%${escapeLike(filters.buyerName)}%`} escape '\\'`);
  if (filters.number) q = q.where('number', '=', filters.number);
  if (filters.issuedFrom) q = q.where('issued_at', '>=', dayStart(filters.issuedFrom));
  if (filters.issuedTo) q = q.where('issued_at', '<', dayStart(filters.issuedTo) + 86_400_000);
  if (filters.totalMin) q = q.where('total_fen', '>=', toFen(filters.totalMin));
  if (filters.totalMax) q = q.where('total_fen', '<=', toFen(filters.totalMax));
  if (filters.isRed !== undefined) q = q.where('is_red', '=', filters.isRed ? 1 : 0);
  if (filters.serialNo) q = q.where('serial_no', '=', filters.serialNo);
  if (filters.serialNos) {
    q = filters.serialNos.length === 0 ? q.where(sql<boolean>`1 = 0`) : q.where('serial_no', 'in', filters.serialNos);
  }
  if (filters.businessSystemCode) q = q.where('business_system_code', '=', filters.businessSystemCode);
  if (filters.origin) q = q.where('origin', '=', filters.origin);
  return q;
}

/** Counts, in-flight and failed requests for the process monitor (开票过程监控 / 开票异常处理). */
export async function getInvoiceMonitor(
  db: Kysely<Database>,
  tenantId: string,
  sellerTaxIds: readonly string[] | null = null,
) {
  const scoped = sellerTaxIds ? inSellers(sellerTaxIds) : () => sql<boolean>`1 = 1`;
  const counts = await db
    .selectFrom('invoices')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('tenant_id', '=', tenantId)
    .where(scoped)
    .groupBy('status')
    .execute();
  const inFlight = await db
    .selectFrom('invoices')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where(scoped)
    .where('status', 'in', ['pending', 'issuing', 'red_pending'])
    .orderBy('updated_at')
    .limit(50)
    .execute();
  const failed = await db
    .selectFrom('invoices')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where(scoped)
    .where('status', '=', 'failed')
    .orderBy('updated_at', 'desc')
    .limit(50)
    .execute();
  const reasons = await db
    .selectFrom('invoices')
    .select(['failure_code', (eb) => eb.fn.countAll<number>().as('n')])
    .where('tenant_id', '=', tenantId)
    .where(scoped)
    .where('status', '=', 'failed')
    .groupBy('failure_code')
    .execute();
  return {
    counts: Object.fromEntries(counts.map((c) => [c.status, Number(c.n)])) as Partial<Record<InvoiceStatus, number>>,
    inFlight,
    failed,
    failureCodes: reasons.map((r) => ({ code: r.failure_code ?? 'UNKNOWN', count: Number(r.n) })),
  };
}

/**
 * The buyers with a tax id of a tenant's invoices issued at or after `since` (epoch ms), newest first, at most
 * `limit`: what 抬头联想's buyer directory learns from (counter module). Red invoices are left out. Walks
 * `invoices_tenant_issued_idx`.
 */
export async function listIssuedBuyersSince(db: Kysely<Database>, tenantId: string, since: number, limit: number) {
  return db
    .selectFrom('invoices')
    .select(['buyer_name', 'buyer_tax_id', 'buyer_json', 'issued_at'])
    .where('tenant_id', '=', tenantId)
    .where('issued_at', '>=', since)
    .where('buyer_tax_id', 'is not', null)
    .where('is_red', '=', 0)
    .orderBy('issued_at', 'desc')
    .limit(limit)
    .execute();
}
