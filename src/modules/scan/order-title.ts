import type { Deps } from '../../platform/deps.js';
import { sha256Hex, toBase62 } from '../../platform/ids.js';
import type { InvoiceKind } from '../../tax/index.js';
import { validateInvoiceDraft } from '../../tax/index.js';
import { type InvoiceRequestData, loadTaxCodeTable, taxViolationsError } from '../invoicing/index.js';
import type { BuyerType } from './buyer-types.js';
import type { ScanOrder } from './scan.tables.js';
import { orderContentJson, orderNotifyJson } from './stored-json.js';

// (in their own file: stored-json.ts needs them while this module, which uses stored-json.ts, is loading)
export { BUYER_TYPES, type BuyerType } from './buyer-types.js';

/** The title (抬头) a consumer submitted, with the chosen kind and delivery contacts. */
export interface OrderTitle {
  kind: InvoiceKind;
  buyerType: BuyerType;
  name: string;
  taxId?: string;
  address?: string;
  phone?: string;
  bankName?: string;
  bankAccount?: string;
  email?: string;
  mobile?: string;
}

/** Notification contacts pushed with the order (the consumer's own contacts take precedence). */
export interface OrderNotify {
  email?: string;
  mobile?: string;
}

/**
 * The invoice serial number of an order: `S-{orderNo}`, or for order numbers over 30 characters
 * `S-{first 13}-{16 base62 of SHA-256(orderNo)}` (32 characters, the serial number limit).
 */
export function orderSerialNo(orderNo: string): string {
  if (orderNo.length <= 30) return `S-${orderNo}`;
  const digest = toBase62(Buffer.from(sha256Hex(orderNo), 'hex')).slice(0, 16);
  return `S-${orderNo.slice(0, 13)}-${digest}`;
}

/** The invoice request an order becomes once its title is known. */
export function toInvoiceRequest(
  order: Pick<ScanOrder, 'seller_tax_id' | 'content_json' | 'notify_json'>,
  title: OrderTitle,
  businessSystemCode: string | null,
): InvoiceRequestData {
  const content = orderContentJson.decode(order.content_json);
  const notify: OrderNotify = order.notify_json ? orderNotifyJson.decode(order.notify_json) : {};
  const email = title.email ?? notify.email;
  const mobile = title.mobile ?? notify.mobile;
  const optional = (['taxId', 'address', 'phone', 'bankName', 'bankAccount'] as const).filter((f) => title[f]);
  return {
    // The shared `Kind` schema's static type collapses to never (a union built with map); the value is a kind.
    kind: title.kind as InvoiceRequestData['kind'],
    seller: { taxId: order.seller_tax_id },
    buyer: {
      name: title.name,
      ...Object.fromEntries(optional.map((f) => [f, title[f]])),
      naturalPerson: title.buyerType === 'personal',
      ...(email ? { email } : {}),
      ...(mobile ? { mobile } : {}),
    },
    lines: content.lines,
    ...(content.totals ? { totals: content.totals } : {}),
    ...(content.remark === undefined ? {} : { remark: content.remark }),
    ...(businessSystemCode ? { businessSystemCode } : {}),
  };
}

/** Runs the full tax rules on the invoice the title would produce; throws the first violation's 422. */
export async function checkTitle(deps: Deps, request: InvoiceRequestData, sellerName: string): Promise<void> {
  const { email: _e, mobile: _m, ...buyer } = request.buyer;
  const result = validateInvoiceDraft(
    {
      kind: request.kind,
      seller: { taxId: request.seller.taxId, name: sellerName },
      buyer,
      lines: request.lines,
      ...(request.totals ? { totals: request.totals } : {}),
      ...(request.remark === undefined ? {} : { remark: request.remark }),
    },
    { taxCodes: await loadTaxCodeTable(deps.db.kysely) },
  );
  if (result.ok) return;
  throw taxViolationsError(result.violations);
}
