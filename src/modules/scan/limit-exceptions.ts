import { toIsoCst } from '../../platform/clock.js';
import type { Deps } from '../../platform/deps.js';
import type { MonitorException } from '../invoicing/index.js';
import { SCAN_LINK_RATE_LIMITED } from './scan.errors.js';
import { STATIC_LIMIT_LABELS, type StaticLimitName } from './static-limits.js';
import { listLimitExceptions } from './static-limits.repo.js';

/** The monitor shows static-link limit exceptions of the last seven days. */
const SHOWN_FOR_MS = 7 * 86_400_000;

/** Static QR links over their limits, as 开票过程监控 lists them (one entry per setting, limit and window). */
export async function scanLinkMonitorExceptions(deps: Deps, tenantId: string): Promise<MonitorException[]> {
  const rows = await listLimitExceptions(deps.db.kysely, tenantId, deps.clock.now() - SHOWN_FOR_MS, 50);
  return rows.map((r) => {
    const label = STATIC_LIMIT_LABELS[r.limit_name as StaticLimitName] ?? r.limit_name;
    const where = r.name ? `「${r.name}」` : '';
    return {
      kind: 'scan_link_limit',
      code: SCAN_LINK_RATE_LIMITED.code,
      message: `静态二维码${where}超过${label}上限（${r.limit_value}），已拒绝 ${Number(r.rejected)} 次提交`,
      sellerTaxId: r.seller_tax_id,
      subject: r.key,
      count: Number(r.rejected),
      firstAt: Number(r.first_at),
      lastAt: Number(r.last_at),
      details: {
        settingKey: r.key,
        limit: r.limit_name,
        limitValue: r.limit_value,
        windowStart: toIsoCst(Number(r.window_start)),
      },
    };
  });
}
