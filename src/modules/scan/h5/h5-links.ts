import type { Deps } from '../../../platform/deps.js';
import { AppError } from '../../../platform/errors/app-error.js';
import { sha256Hex } from '../../../platform/ids.js';
import { effectiveStatus } from '../order-view.js';
import { findOrderByTokenHash } from '../orders.repo.js';
import { ORDER_EXPIRED, ORDER_WITHDRAWN, SCAN_LINK_INVALID } from '../scan.errors.js';
import type { ScanOrder, ScanSetting } from '../scan.tables.js';
import { findSettingById, findSettingByKey } from '../settings.service.js';

/** `/s/{token}` tokens are 17 base62 characters (96 random bits). */
const TOKEN_RE = /^[0-9A-Za-z]{17}$/;

/** The order and setting behind a `/s/{token}` link, or SCAN_LINK_INVALID (unknown or malformed token). */
export async function resolveToken(deps: Deps, token: string): Promise<{ order: ScanOrder; setting: ScanSetting }> {
  if (!TOKEN_RE.test(token)) throw new AppError(SCAN_LINK_INVALID);
  const order = await findOrderByTokenHash(deps.db.kysely, sha256Hex(token));
  const setting = order ? await findSettingById(deps, order.setting_id) : undefined;
  if (!order || !setting) throw new AppError(SCAN_LINK_INVALID);
  return { order, setting };
}

/** What the link shows: the form (open), the status (submitted onwards), or an error page (withdrawn, expired). */
export function pageKind(deps: Deps, order: ScanOrder): 'form' | 'status' {
  const status = effectiveStatus(order, deps.clock.now());
  if (status === 'withdrawn') throw new AppError(ORDER_WITHDRAWN);
  if (status === 'expired') throw new AppError(ORDER_EXPIRED);
  return status === 'open' ? 'form' : 'status';
}

/**
 * The tenant and scope of a consumer link, for another module's endpoint on the same page (抬头联想 of
 * docs/counter.md): an open order's `/s/{token}` or an enabled setting's static `/q/{key}`; undefined otherwise.
 */
export async function consumerLinkTenant(
  deps: Deps,
  link: { token: string } | { key: string },
): Promise<{ tenantId: string; scope: string } | undefined> {
  if ('token' in link) {
    if (!TOKEN_RE.test(link.token)) return undefined;
    const order = await findOrderByTokenHash(deps.db.kysely, sha256Hex(link.token));
    if (!order || effectiveStatus(order, deps.clock.now()) !== 'open') return undefined;
    return { tenantId: order.tenant_id, scope: `s:${order.setting_id}` };
  }
  const setting = await findSettingByKey(deps, link.key);
  if (setting?.enabled !== 1) return undefined;
  return { tenantId: setting.tenant_id, scope: `s:${setting.id}` };
}

/**
 * The invoice of an invoiced order's `/s/{token}` link (a receipt's QR code), with its tenant and seller, for a
 * store's self-service printer (docs/counter.md); undefined for any other link or state. The token is the
 * credential, as on the consumer's own status page.
 */
export async function invoicedOrderOfLink(
  deps: Deps,
  token: string,
): Promise<{ tenantId: string; sellerTaxId: string; invoiceId: string } | undefined> {
  if (!TOKEN_RE.test(token)) return undefined;
  const order = await findOrderByTokenHash(deps.db.kysely, sha256Hex(token));
  if (order?.status !== 'invoiced' || !order.invoice_id) return undefined;
  return { tenantId: order.tenant_id, sellerTaxId: order.seller_tax_id, invoiceId: order.invoice_id };
}
