import { toIsoCst } from '../../platform/clock.js';
import type { Deps } from '../../platform/deps.js';
import { fenToDecimalString, getInvoiceKindInfo, isInvoiceKind } from '../../tax/index.js';
import type { Caller } from '../auth/index.js';
import { countWebhookDeliveriesByStatus } from '../delivery/index.js';
import {
  countFailedByCode,
  countInvoicesByStatus,
  type IssuedInvoiceSums,
  issuedDailyTotals,
  sumIssuedInvoices,
} from '../invoicing/index.js';
import { listOrgs } from '../orgs/index.js';
import { countOrdersByStatus, ORDER_STATUSES } from '../scan/index.js';

const CST_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;
export const TREND_DAYS = 30;

/** A China-time calendar day: its YYYY-MM-DD and where it starts (epoch ms). */
function chinaDay(epochMs: number): { date: string; start: number } {
  const dayNo = Math.floor((epochMs + CST_OFFSET_MS) / DAY_MS);
  return { date: new Date(dayNo * DAY_MS).toISOString().slice(0, 10), start: dayNo * DAY_MS - CST_OFFSET_MS };
}

function chinaMonthStart(epochMs: number): { month: string; start: number; next: number } {
  const shifted = new Date(epochMs + CST_OFFSET_MS);
  const y = shifted.getUTCFullYear();
  const m = shifted.getUTCMonth();
  return {
    month: `${y}-${String(m + 1).padStart(2, '0')}`,
    start: Date.UTC(y, m, 1) - CST_OFFSET_MS,
    next: Date.UTC(y, m + 1, 1) - CST_OFFSET_MS,
  };
}

const money = (fen: number) => fenToDecimalString(fen);
const kindName = (kind: string) => (isInvoiceKind(kind) ? getInvoiceKindInfo(kind).name : kind);

function summarize(rows: IssuedInvoiceSums[]) {
  const byKind = rows.map((r) => ({
    kind: r.kind,
    kindName: kindName(r.kind),
    isRed: r.isRed,
    count: r.count,
    amount: money(r.amountFen),
    tax: money(r.taxFen),
    total: money(r.totalFen),
  }));
  const sum = (pick: (r: IssuedInvoiceSums) => number, red: boolean) =>
    rows.filter((r) => r.isRed === red).reduce((s, r) => s + pick(r), 0);
  return {
    // Blue invoices issued, and the red ones separately (their amounts are negative).
    count: sum((r) => r.count, false),
    amount: money(sum((r) => r.amountFen, false)),
    tax: money(sum((r) => r.taxFen, false)),
    total: money(sum((r) => r.totalFen, false)),
    redCount: sum((r) => r.count, true),
    redTotal: money(sum((r) => r.totalFen, true)),
    byKind,
  };
}

/**
 * The console's 工作台: today's and this month's issued invoices by 票种, a 30-day trend, red invoices, failures
 * waiting for a person, the sandbox quota per seller, dead webhook deliveries and scan orders by state. Every figure
 * is read through the owning module's front door; money is summed in fen and returned as decimal strings.
 */
export async function getDashboard(deps: Deps, caller: Caller) {
  const { tenantId } = caller;
  // A clerk sees only their seller orgs; webhook deliveries (per business system) only with integrations.read.
  const sellers = caller.orgTaxIds;
  const seesDeliveries = caller.permissions.has('integrations.read');
  const seesScan = caller.permissions.has('scan.read');
  const db = deps.db.kysely;
  const now = deps.clock.now();
  const today = chinaDay(now);
  const month = chinaMonthStart(now);
  const trendStart = today.start - (TREND_DAYS - 1) * DAY_MS;
  const [todayRows, monthRows, daily, statuses, failedByCode, deliveries, orders, orgs] = await Promise.all([
    sumIssuedInvoices(db, tenantId, today.start, today.start + DAY_MS, sellers),
    sumIssuedInvoices(db, tenantId, month.start, month.next, sellers),
    issuedDailyTotals(db, tenantId, trendStart, today.start + DAY_MS, sellers),
    countInvoicesByStatus(db, tenantId, sellers, ['pending', 'issuing', 'failed', 'red_pending']),
    countFailedByCode(db, tenantId, sellers),
    seesDeliveries ? countWebhookDeliveriesByStatus(db, tenantId) : null,
    seesScan ? countOrdersByStatus(db, tenantId, now, sellers) : null,
    listOrgs({ db }, tenantId),
  ]);
  const quota = await Promise.all(
    orgs
      .filter((org) => sellers === null || sellers.includes(org.tax_id))
      .map(async (org) => {
        const q = await deps.channel.getQuota({ tenantId }, org.tax_id, now);
        return {
          sellerTaxId: org.tax_id,
          sellerName: org.name,
          month: q.month,
          total: q.total,
          used: q.used,
          remaining: q.remaining,
        };
      }),
  );
  const byDay = new Map(daily.map((d) => [d.day, d]));
  const trend = Array.from({ length: TREND_DAYS }, (_, i) => {
    const start = trendStart + i * DAY_MS;
    const d = byDay.get(Math.floor((start + CST_OFFSET_MS) / DAY_MS));
    return { date: chinaDay(start).date, count: d?.count ?? 0, total: money(d?.totalFen ?? 0) };
  });
  return {
    asOf: toIsoCst(now),
    today: { date: today.date, ...summarize(todayRows) },
    month: { month: month.month, from: chinaDay(month.start).date, to: today.date, ...summarize(monthRows) },
    trend,
    statuses: {
      pending: statuses.pending ?? 0,
      issuing: statuses.issuing ?? 0,
      failed: statuses.failed ?? 0,
      redPending: statuses.red_pending ?? 0,
    },
    failures: { count: statuses.failed ?? 0, byCode: failedByCode },
    quota,
    deadDeliveries: deliveries ? (deliveries.dead ?? 0) : null,
    scanOrders: orders ? ORDER_STATUSES.map((status) => ({ status, count: orders[status] ?? 0 })) : null,
  };
}
