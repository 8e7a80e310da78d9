import { toIsoCst } from '../../platform/clock.js';
import type { Deps } from '../../platform/deps.js';
import { AppError } from '../../platform/errors/app-error.js';
import { newId, randomToken, sha256Hex } from '../../platform/ids.js';
import { findInvoiceById, type Invoice } from '../invoicing/index.js';
import { getSellerOrThrow } from '../orgs/index.js';
import { invoicedOrderOfLink } from '../scan/index.js';
import { COUNTER_LINK_INVALID, EXTRACTION_CODE_INVALID, KIOSK_NOT_FOUND } from './counter.errors.js';
import type { Kiosk } from './counter.tables.js';
import { invoiceByCode, normaliseCode } from './extraction-codes.js';
import { findKioskById, findKioskByTokenHash, insertKiosk, listKiosks, revokeKiosk } from './kiosks.repo.js';
import { clientKey, enforceLimits, KIOSK_LIMITS } from './rate-limit.js';
import { findReservationByTokenHash } from './reservations.repo.js';

export const KIOSK_PAPERS = ['a4', 'a5'] as const;
export type KioskPaper = (typeof KIOSK_PAPERS)[number];

/** Creates a store's kiosk link; the token is answered once (only its hash is stored). */
export async function createKiosk(
  deps: Deps,
  tenantId: string,
  input: { sellerTaxId: string; name: string; paper?: KioskPaper },
) {
  await getSellerOrThrow(deps.db.kysely, tenantId, input.sellerTaxId);
  const now = deps.clock.now();
  const token = randomToken(128);
  const row = {
    id: newId('ksk', now),
    tenant_id: tenantId,
    seller_tax_id: input.sellerTaxId,
    name: input.name,
    token_hash: sha256Hex(token),
    paper: input.paper ?? 'a4',
    revoked_at: null,
    created_at: now,
  };
  await insertKiosk(deps.db.kysely, row);
  return { kiosk: row as Kiosk, token, url: kioskUrl(deps, token) };
}

export const kioskUrl = (deps: Deps, token: string) => `${deps.config.http.publicUrl}/k/${token}`;

export async function getKioskOrThrow(deps: Deps, tenantId: string, id: string): Promise<Kiosk> {
  const kiosk = await findKioskById(deps.db.kysely, id);
  if (!kiosk || kiosk.tenant_id !== tenantId) throw new AppError(KIOSK_NOT_FOUND);
  return kiosk;
}

export const listTenantKiosks = (deps: Deps, tenantId: string, scope: readonly string[] | null) =>
  listKiosks(deps.db.kysely, tenantId, scope);

export async function revokeTenantKiosk(deps: Deps, tenantId: string, id: string): Promise<Kiosk> {
  const kiosk = await getKioskOrThrow(deps, tenantId, id);
  await revokeKiosk(deps.db.kysely, kiosk.id, deps.clock.now());
  return (await findKioskById(deps.db.kysely, kiosk.id))!;
}

export const toKioskView = (k: Kiosk) => ({
  id: k.id,
  name: k.name,
  sellerTaxId: k.seller_tax_id,
  paper: k.paper as KioskPaper,
  revoked: k.revoked_at !== null,
  revokedAt: k.revoked_at === null ? null : toIsoCst(k.revoked_at),
  createdAt: toIsoCst(k.created_at),
});

/** The kiosk of a `/k/{token}` link: unknown or revoked → 404 COUNTER_LINK_INVALID. */
export async function openKiosk(deps: Deps, token: string): Promise<Kiosk> {
  const kiosk = /^[0-9A-Za-z]{22}$/.test(token)
    ? await findKioskByTokenHash(deps.db.kysely, sha256Hex(token))
    : undefined;
  if (!kiosk || kiosk.revoked_at !== null) throw new AppError(COUNTER_LINK_INVALID);
  return kiosk;
}

/** What the consumer gave the kiosk: the receipt QR's text (scanner) or the order number and extraction code. */
export interface KioskQuery {
  scanned?: string;
  orderNo?: string;
  code?: string;
}

const ORDER_NO_RE = /^[A-Za-z0-9_.:-]{1,64}$/;
const STATUS_LINK_RE = /\/r\/t\/([0-9A-Za-z]{17})(?:[/?#]|$)/;
const ORDER_LINK_RE = /\/s\/([0-9A-Za-z]{17})(?:[/?#]|$)/;

/**
 * The one invoice a kiosk may show for a query, after the kiosk's limits (per client and per kiosk: wrong codes
 * count too, so guessing is bounded). The scanner's text is a receipt's link — a reservation's status link
 * (`…/r/t/{token}`) or a scan order's link (`…/s/{token}`, the 码上开票 ticket): the token is the credential — or
 * `{orderNo} {code}`; typed input is the order number and the code. Whatever does not open an
 * issued invoice of the kiosk's own tenant and seller is 404 EXTRACTION_CODE_INVALID, the same for every reason.
 */
export async function kioskLookup(deps: Deps, kiosk: Kiosk, query: KioskQuery, clientIp: string): Promise<Invoice> {
  const client = clientKey(deps, clientIp);
  await enforceLimits(deps, [
    {
      name: 'clientPerMinute',
      scope: `kc:${kiosk.id}`,
      subject: client,
      window: 'minute',
      cap: KIOSK_LIMITS.clientPerMinute,
    },
    { name: 'clientPerDay', scope: `kc:${kiosk.id}`, subject: client, window: 'day', cap: KIOSK_LIMITS.clientPerDay },
    { name: 'kioskPerMinute', scope: `k:${kiosk.id}`, subject: '', window: 'minute', cap: KIOSK_LIMITS.kioskPerMinute },
    { name: 'kioskPerDay', scope: `k:${kiosk.id}`, subject: '', window: 'day', cap: KIOSK_LIMITS.kioskPerDay },
  ]);
  const scope = { tenantId: kiosk.tenant_id, sellerTaxId: kiosk.seller_tax_id };
  const scanned = query.scanned?.slice(0, 300).trim();
  if (scanned) {
    const link = STATUS_LINK_RE.exec(scanned);
    if (link) {
      const r = await findReservationByTokenHash(deps.db.kysely, sha256Hex(link[1]!));
      const invoice = r?.invoice_id ? await findInvoiceById(deps.db.kysely, r.invoice_id) : undefined;
      if (!r || !invoice || r.tenant_id !== kiosk.tenant_id || invoice.seller_tax_id !== kiosk.seller_tax_id) {
        throw new AppError(EXTRACTION_CODE_INVALID);
      }
      if (invoice.status !== 'issued') throw new AppError(EXTRACTION_CODE_INVALID);
      return invoice;
    }
    const orderLink = ORDER_LINK_RE.exec(scanned);
    if (orderLink) {
      const found = await invoicedOrderOfLink(deps, orderLink[1]!);
      const invoice = found ? await findInvoiceById(deps.db.kysely, found.invoiceId) : undefined;
      if (
        found?.tenantId !== kiosk.tenant_id ||
        invoice?.status !== 'issued' ||
        invoice.seller_tax_id !== kiosk.seller_tax_id
      ) {
        throw new AppError(EXTRACTION_CODE_INVALID);
      }
      return invoice;
    }
    const [orderNo, code] = scanned.split(/\s+/);
    return byCode(deps, scope, orderNo ?? '', code ?? '');
  }
  return byCode(deps, scope, query.orderNo?.slice(0, 80).trim() ?? '', query.code ?? '');
}

async function byCode(
  deps: Deps,
  scope: { tenantId: string; sellerTaxId: string },
  orderNo: string,
  rawCode: string,
): Promise<Invoice> {
  const code = normaliseCode(rawCode);
  if (!ORDER_NO_RE.test(orderNo) || !code) throw new AppError(EXTRACTION_CODE_INVALID);
  return invoiceByCode(deps, scope, orderNo, code);
}

/** The seller of a kiosk (its name heads the page). */
export const kioskSeller = (deps: Deps, kiosk: Kiosk) =>
  getSellerOrThrow(deps.db.kysely, kiosk.tenant_id, kiosk.seller_tax_id);
