import { type Kysely, sql } from 'kysely';
import type { Database } from '../../platform/db/database.js';
import { fetchPage } from '../../platform/db/pagination.js';
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
  businessSystemCode?: string;
  origin?: InvoiceOrigin;
}

const CST_OFFSET_MS = 8 * 3600_000;
const dayStart = (date: string) => Date.parse(`${date}T00:00:00Z`) - CST_OFFSET_MS;

/** The invoice pool (销项全票池) of a tenant, newest first, cursor-paginated by id. */
export async function listInvoices(
  db: Kysely<Database>,
  tenantId: string,
  filters: InvoiceFilters,
  page: { cursor?: string; limit: number },
): Promise<{ items: Invoice[]; nextCursor: string | null }> {
  let q = db.selectFrom('invoices').selectAll().where('tenant_id', '=', tenantId);
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
  if (filters.businessSystemCode) q = q.where('business_system_code', '=', filters.businessSystemCode);
  if (filters.origin) q = q.where('origin', '=', filters.origin);
  return fetchPage(q, page);
}

/** `%` and `_` in a search text match themselves (with an explicit ESCAPE, which SQLite needs). */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
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
