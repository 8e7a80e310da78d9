import { toIsoCst } from '../../platform/clock.js';
import type { Deps } from '../../platform/deps.js';
import { fenToDecimalString } from '../../tax/index.js';
import { findInvoiceBySerial } from '../invoicing/index.js';
import { decryptSecret } from '../orgs/index.js';
import type { OrderStatus, ScanOrder, ScanSetting } from './scan.tables.js';
import { orderItemsJson, orderKindsJson, orderTitleJson } from './stored-json.js';

/** The status clients see: an open order past its expiry is `expired`. */
export function effectiveStatus(order: Pick<ScanOrder, 'status' | 'expires_at'>, now: number): OrderStatus {
  return order.status === 'open' && order.expires_at <= now ? 'expired' : order.status;
}

/** The `/s/{token}` link of a pushed order (the token is kept encrypted so replays answer the same link). */
export function orderLinks(
  deps: Pick<Deps, 'config'>,
  order: Pick<ScanOrder, 'id' | 'token_enc'>,
  /** The order's token when the caller holds it (it just made or decrypted it): no second decryption. */
  known?: string,
) {
  if (!order.token_enc) return null;
  const token = known || decryptSecret(deps.config, order.token_enc, `scan-order:${order.id}`);
  const url = `${deps.config.http.publicUrl}/s/${token}`;
  return { token, url, qrPngUrl: `${url}/qr.png`, qrSvgUrl: `${url}/qr.svg` };
}

/** The API representation of an order (ScanOrderView). */
export async function toOrderView(deps: Deps, order: ScanOrder, setting: Pick<ScanSetting, 'key'>) {
  const title = order.buyer_json ? orderTitleJson.decode(order.buyer_json) : null;
  const invoice = order.invoice_serial_no
    ? await findInvoiceBySerial(deps.db.kysely, order.tenant_id, order.invoice_serial_no)
    : undefined;
  const links = orderLinks(deps, order);
  return {
    orderNo: order.order_no,
    settingKey: setting.key,
    source: order.source,
    status: effectiveStatus(order, deps.clock.now()),
    sellerTaxId: order.seller_tax_id,
    allowedKinds: orderKindsJson.decode(order.allowed_kinds),
    total: fenToDecimalString(order.total_fen),
    items: orderItemsJson.decode(order.items_json),
    buyer: title
      ? {
          buyerType: title.buyerType,
          kind: title.kind,
          name: title.name,
          taxId: title.taxId ?? null,
          email: title.email ?? null,
          mobile: title.mobile ?? null,
        }
      : null,
    invoices: invoice
      ? [{ serialNo: invoice.serial_no, status: invoice.status, number: invoice.number, kind: invoice.kind }]
      : [],
    failureReason: order.failure_reason,
    awaitingConfirmation: order.status === 'submitted' && order.needs_confirmation === 1,
    url: links?.url ?? null,
    qrPngUrl: links?.qrPngUrl ?? null,
    qrSvgUrl: links?.qrSvgUrl ?? null,
    expiresAt: toIsoCst(order.expires_at),
    submittedAt: order.submitted_at === null ? null : toIsoCst(order.submitted_at),
    invoicedAt: order.invoiced_at === null ? null : toIsoCst(order.invoiced_at),
    createdAt: toIsoCst(order.created_at),
  };
}
