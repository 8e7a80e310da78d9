import type { Deps } from '../../platform/deps.js';

/**
 * An exception another module reports to 开票过程监控 (e.g. scan: a static QR link over its limits). Times are epoch
 * ms; the monitor shows them in ISO 8601 +08:00.
 */
export interface MonitorException {
  /** What kind of exception (one per source, e.g. `scan_link_limit`). */
  kind: string;
  /** The error code the exception stands for (docs/errors.md). */
  code: string;
  /** Chinese, for finance staff. */
  message: string;
  sellerTaxId: string | null;
  /** What it is about, e.g. the QR setting's key. */
  subject: string;
  /** How many times it happened (e.g. refused submissions in the window). */
  count: number;
  firstAt: number;
  lastAt: number;
  details: Record<string, string>;
}

export type MonitorExceptionSource = (deps: Deps, tenantId: string) => Promise<MonitorException[]>;

const SOURCES = new Map<string, MonitorExceptionSource>();

/** Lets a module add its exceptions to the monitor (`GET /api/v1/invoice-monitor` → `exceptions`). */
export function registerMonitorExceptionSource(kind: string, source: MonitorExceptionSource): void {
  SOURCES.set(kind, source);
}

/** Every source's exceptions for the tenant, most recent first, at most `limit`. */
export async function listMonitorExceptions(deps: Deps, tenantId: string, limit: number): Promise<MonitorException[]> {
  const lists = await Promise.all([...SOURCES.values()].map((source) => source(deps, tenantId)));
  return lists
    .flat()
    .sort((a, b) => b.lastAt - a.lastAt)
    .slice(0, limit);
}
