/**
 * Builds the render input ({@link InvoiceDocument}) from a stored, issued invoice: parties from their JSON
 * columns, lines and totals from `computed_json` (src/tax ComputedInvoice), the QR text from the official builder
 * (tax-rules §3), and the red references for red invoices.
 */
import {
  buildInvoiceQrPayload,
  type ComputedInvoice,
  getInvoiceKindInfo,
  type InvoiceKind,
  PROVINCE_CODES,
  printedLine,
} from '../../tax/index.js';
import type { Invoice } from '../invoicing/index.js';
import { cstParts, type DocumentParty, type InvoiceDocument } from './render/invoice-document.js';

interface StoredParty {
  name: string;
  taxId?: string | null;
  address?: string | null;
  phone?: string | null;
  bankName?: string | null;
  bankAccount?: string | null;
}

const party = (p: StoredParty, name = p.name): DocumentParty => ({
  name,
  taxId: p.taxId || null,
  address: p.address || null,
  phone: p.phone || null,
  bankName: p.bankName || null,
  bankAccount: p.bankAccount || null,
});

/** Municipalities and autonomous regions keep their own suffix in the bureau name. */
const REGION_SUFFIX: Readonly<Record<string, string>> = {
  '11': '市',
  '12': '市',
  '31': '市',
  '50': '市',
  '15': '自治区',
  '45': '壮族自治区',
  '54': '自治区',
  '64': '回族自治区',
  '65': '维吾尔自治区',
};

/** 主管税务机关 from a province prefix: code `1` + province + zeros (tax-rules §9.1), name 国家税务总局XX省税务局. */
export function taxBureauOf(province: string): InvoiceDocument['taxBureau'] {
  const region = PROVINCE_CODES[province];
  if (!region) return { code: '10000000000', name: '国家税务总局' };
  return { code: `1${province}00000000`, name: `国家税务总局${region}${REGION_SUFFIX[province] ?? '省'}税务局` };
}

/** The render input of an issued invoice; `blueNumber` is the reversed invoice's number for a red one. */
export function buildInvoiceDocument(invoice: Invoice, blueNumber: string | null): InvoiceDocument {
  if (invoice.number === null || invoice.issued_at === null) throw new Error(`invoice ${invoice.id} is not issued`);
  const computed = JSON.parse(invoice.computed_json) as ComputedInvoice;
  const info = getInvoiceKindInfo(invoice.kind as InvoiceKind);
  const buyer = JSON.parse(invoice.buyer_json) as StoredParty;
  const qrPayload = buildInvoiceQrPayload({
    kind: info.kind,
    invoiceNumber: invoice.number,
    ...(invoice.code ? { invoiceCode: invoice.code } : {}),
    ...(invoice.check_code ? { checkCode: invoice.check_code } : {}),
    amount: info.isDigital ? computed.totals.total : computed.totals.amount,
    issueDate: cstParts(invoice.issued_at).date,
  });
  const province = info.isDigital ? invoice.number.slice(2, 4) : (invoice.code ?? '').slice(1, 3);
  return {
    kind: info.kind,
    kindName: info.name,
    isSpecial: info.isSpecial,
    isRed: invoice.is_red === 1,
    number: invoice.number,
    issuedAt: invoice.issued_at,
    seller: party(JSON.parse(invoice.seller_json) as StoredParty),
    buyer: party(buyer, computed.buyer.displayName ?? buyer.name),
    lines: computed.lines.map((l) => ({ ...printedLine(l), tax: l.tax, taxLabel: l.taxLabel })),
    totals: computed.totals,
    remark: invoice.remark,
    drawer: invoice.drawer,
    qrPayload,
    red: invoice.is_red === 1 ? { blueNumber: blueNumber ?? '', formNo: invoice.red_form_no } : null,
    taxBureau: taxBureauOf(province),
  };
}
