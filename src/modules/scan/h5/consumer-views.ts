import { toIsoCst } from '../../../platform/clock.js';
import type { Deps } from '../../../platform/deps.js';
import { fenToDecimalString, getInvoiceKindInfo } from '../../../tax/index.js';
import { createDownloadLink } from '../../documents/index.js';
import { findInvoiceBySerial } from '../../invoicing/index.js';
import { getSellerOrThrow } from '../../orgs/index.js';
import type { OrderTitle } from '../order-title.js';
import type { ScanOrder, ScanSetting } from '../scan.tables.js';
import { orderItemsJson, orderKindsJson, orderTitleJson } from '../stored-json.js';
import { renderOrderPage } from './order-page.js';
import { renderStatusPage, type StatusPageModel } from './status-page.js';
import type { FieldErrors, TitleFormValues } from './title-form.js';

/** The order page of an open order. */
export async function orderPageHtml(
  deps: Deps,
  order: ScanOrder,
  form: { values: TitleFormValues; errors: FieldErrors; csrf: string; action: string },
): Promise<string> {
  const seller = await getSellerOrThrow(deps.db.kysely, order.tenant_id, order.seller_tax_id);
  return renderOrderPage({
    sellerName: seller.name,
    total: fenToDecimalString(order.total_fen),
    items: orderItemsJson.decode(order.items_json),
    kinds: orderKindsJson.decode(order.allowed_kinds),
    ...form,
    suggestUrl: `${form.action}/titles`,
  });
}

/** The status page of a submitted order: progress, then the invoice with its downloads and "send to e-mail". */
export async function statusPageHtml(
  deps: Deps,
  order: ScanOrder,
  setting: ScanSetting,
  email: { action: string; csrf: string; notice: string | null },
): Promise<string> {
  const title = order.buyer_json ? orderTitleJson.decode(order.buyer_json) : ({} as OrderTitle);
  const seller = await getSellerOrThrow(deps.db.kysely, order.tenant_id, order.seller_tax_id);
  const invoice = order.invoice_serial_no
    ? await findInvoiceBySerial(deps.db.kysely, order.tenant_id, order.invoice_serial_no)
    : undefined;
  const issued = order.status === 'invoiced' && invoice?.status === 'issued' ? invoice : null;
  const link = (format: 'pdf' | 'ofd') =>
    createDownloadLink(deps, { tenantId: order.tenant_id, invoiceId: issued!.id, format, ttlSeconds: 7 * 86_400 });
  return renderStatusPage({
    status: order.status as StatusPageModel['status'],
    titleOnly: setting.scan_type === 'title_only',
    awaitingConfirmation: order.needs_confirmation === 1,
    sellerName: seller.name,
    total: fenToDecimalString(order.total_fen),
    buyerName: title.name,
    buyerTaxId: title.taxId ?? null,
    invoice: {
      kindName: getInvoiceKindInfo(title.kind).name,
      number: issued?.number ?? null,
      issuedAt: issued?.issued_at ? toIsoCst(issued.issued_at).slice(0, 10) : null,
    },
    downloads: issued ? { pdf: link('pdf'), ofd: link('ofd') } : null,
    email: issued ? { ...email, value: title.email ?? '' } : null,
  });
}
