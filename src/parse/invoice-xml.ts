/**
 * Readers for the structured invoice XML dialects: the 数电 `EInvoice` (tax-rules §9.1, also what our renderer
 * writes), the legacy e-invoice `eInvoice` (fp: namespace, embedded in 税控-era OFDs as original_invoice.xml,
 * tax-rules §9.2) and the XBRL files of the rail/air e-tickets (element names matched loosely: the taxonomies vary).
 */
import { receivedKindOfLegacyCode, receivedKindOfTitle } from '../tax/index.js';
import type { InvoiceDraft } from './draft.js';
import { normDate, normMoney, normNumber, normRate, normTaxId, normText } from './normalize.js';
import type { FieldSource, ParsedLine } from './types.js';
import { at, child, childrenNamed, find, findAll, textAt, type XNode } from './xml-tree.js';

/** Which dialect a root element is, or null when it is no invoice XML we know. */
export function invoiceXmlDialect(root: XNode): 'einvoice' | 'legacy' | 'xbrl' | null {
  if (root.name === 'EInvoice' && (child(root, 'EInvoiceData') || child(root, 'Header'))) return 'einvoice';
  if (root.name === 'eInvoice' && (child(root, 'InvoiceNo') || child(root, 'InvoiceCode'))) return 'legacy';
  if (root.name === 'xbrl' || Object.keys(root.attrs).some((a) => /^xmlns:?(rai|air|ticket)/i.test(a))) return 'xbrl';
  return null;
}

/** Reads an invoice XML tree into the draft; false when the tree is no invoice XML we know. */
export function readInvoiceXml(root: XNode, draft: InvoiceDraft, source: FieldSource, confidence = 1): boolean {
  const dialect = invoiceXmlDialect(root);
  if (dialect === 'einvoice') readEInvoice(root, draft, source, confidence);
  else if (dialect === 'legacy') readLegacy(root, draft, source, confidence);
  else if (dialect === 'xbrl') return readXbrl(root, draft, source, confidence * 0.9);
  return dialect !== null;
}

function readEInvoice(root: XNode, d: InvoiceDraft, src: FieldSource, c: number): void {
  const header = child(root, 'Header');
  const data = child(root, 'EInvoiceData');
  const labels = child(header, 'InherentLabel');
  const typeCode = textAt(labels, 'EInvoiceType', 'LabelCode');
  const vat = textAt(labels, 'GeneralOrSpecialVAT', 'LabelCode');
  const vatName = textAt(labels, 'GeneralOrSpecialVAT', 'LabelName') ?? '';
  let kind: string | null = null;
  if (typeCode && /^(81|82|85|86|51|61|83|84)$/.test(typeCode)) kind = typeCode;
  else if (vat === '01' || vatName.includes('专用')) kind = '81';
  else if (vat === '02' || vatName.includes('普通')) kind = '82';
  d.set('kind', kind ?? '82', src, kind ? c : c * 0.6);
  d.isRed ||= textAt(labels, 'InIssuType', 'LabelCode') === 'N';
  d.set('number', digits(textAt(root, 'TaxSupervisionInfo', 'InvoiceNumber') ?? textAt(header, 'EIid')), src, c);
  const basic = child(data, 'BasicInformation');
  d.set('issueDate', normDate(textAt(root, 'TaxSupervisionInfo', 'IssueTime') ?? textAt(basic, 'RequestTime')), src, c);
  d.set('seller.name', normText(textAt(data, 'SellerInformation', 'SellerName')), src, c);
  d.set('seller.taxId', normTaxId(textAt(data, 'SellerInformation', 'SellerIdNum')), src, c);
  d.set('buyer.name', normText(textAt(data, 'BuyerInformation', 'BuyerName')), src, c);
  d.set('buyer.taxId', normTaxId(textAt(data, 'BuyerInformation', 'BuyerIdNum')), src, c);
  d.set('totals.amount', normMoney(textAt(basic, 'TotalAmWithoutTax')), src, c);
  d.set('totals.tax', normMoney(textAt(basic, 'TotalTaxAm')), src, c);
  d.set('totals.total', normMoney(textAt(basic, 'TotalTax-includedAmount')), src, c);
  d.amountInWords ??= textAt(basic, 'TotalTax-includedAmountInChinese');
  d.set('remark', normText(textAt(data, 'AdditionalInformation', 'Remark')), src, c);
  const lines: ParsedLine[] = childrenNamed(data, 'IssuItemInformation').map((it) => ({
    name: normText(textAt(it, 'ItemName')) ?? '',
    spec: normText(textAt(it, 'SpecMod')),
    unit: normText(textAt(it, 'MeaUnits')),
    quantity: normNumber(textAt(it, 'Quantity')),
    unitPrice: normNumber(textAt(it, 'UnPrice')),
    amount: normMoney(textAt(it, 'Amount')),
    taxRate: normRate(textAt(it, 'TaxRate')),
    taxAmount: normMoney(textAt(it, 'ComTaxAm')),
  }));
  d.setLines(lines, src, c);
}

function readLegacy(root: XNode, d: InvoiceDraft, src: FieldSource, c: number): void {
  const code = digits(textAt(root, 'InvoiceCode'));
  d.set('code', code, src, c);
  const byCode = code ? receivedKindOfLegacyCode(code) : null;
  const title = textAt(root, 'InvoiceTitle') ?? textAt(root, 'Title');
  d.set('kind', byCode ?? (title ? receivedKindOfTitle(title) : null) ?? '026', src, byCode ? c : c * 0.6);
  d.set('number', digits(textAt(root, 'InvoiceNo')), src, c);
  d.set('issueDate', normDate(textAt(root, 'IssueDate')), src, c);
  d.set('checkCode', digits(textAt(root, 'InvoiceCheckCode')), src, c);
  d.set('buyer.name', normText(textAt(root, 'Buyer', 'BuyerName')), src, c);
  d.set('buyer.taxId', normTaxId(textAt(root, 'Buyer', 'BuyerTaxID')), src, c);
  d.set('seller.name', normText(textAt(root, 'Seller', 'SellerName')), src, c);
  d.set('seller.taxId', normTaxId(textAt(root, 'Seller', 'SellerTaxID')), src, c);
  d.set('totals.amount', normMoney(textAt(root, 'TaxExclusiveTotalAmount')), src, c);
  d.set('totals.tax', normMoney(textAt(root, 'TaxTotalAmount')), src, c);
  d.set('totals.total', normMoney(textAt(root, 'TaxInclusiveTotalAmount')), src, c);
  d.set('remark', normText(textAt(root, 'Note')), src, c);
  const qr = textAt(root, 'GraphCode');
  if (qr) d.qrPayload ??= qr;
  const lines: ParsedLine[] = findAll(child(root, 'GoodsInfos'), 'GoodsInfo').map((g) => {
    const rate = normRate(textAt(g, 'TaxScheme'));
    return {
      name: normText(textAt(g, 'Item')) ?? '',
      spec: normText(textAt(g, 'Specification')),
      unit: normText(textAt(g, 'MeasurementDimension')),
      quantity: normNumber(textAt(g, 'Quantity')),
      unitPrice: normNumber(textAt(g, 'Price')),
      amount: normMoney(textAt(g, 'Amount')),
      taxRate: rate,
      taxAmount: normMoney(textAt(g, 'TaxAmount')),
    };
  });
  d.setLines(lines, src, c);
}

/** Local names (lower-case) that carry each passenger-ticket field in the XBRL taxonomies we know of. */
const XBRL_NAMES = {
  number: ['einvoicenumber', 'invoicenumber', 'electronicinvoicenumber', 'ticketinvoicenumber'],
  issueDate: ['dateofissue', 'issuedate', 'invoicedate', 'issuetime'],
  buyerName: ['buyername', 'purchasername'],
  buyerTaxId: ['buyeridnum', 'buyertaxid', 'buyertaxpayeridentificationnumber', 'purchasertaxid'],
  sellerName: ['sellername', 'issuingunit', 'agentname', 'carriername'],
  sellerTaxId: ['selleridnum', 'sellertaxid'],
  passenger: ['passengername', 'nameofpassenger', 'travelername'],
  idNumber: ['passengeridnumber', 'idnumber', 'valididnumber', 'identitycardnumber'],
  travelDate: ['dateoftravel', 'traveldate', 'departuredate', 'flightdate', 'dateofdeparture'],
  from: ['departurestation', 'placeofdeparture', 'fromstation', 'origin', 'from'],
  to: ['destinationstation', 'arrivalstation', 'placeofdestination', 'tostation', 'destination', 'to'],
  trip: ['trainnumber', 'flightnumber', 'trainno', 'flightno'],
  seatClass: ['seatclass', 'seattype', 'classofseat', 'cabinclass'],
  fare: ['fare', 'ticketprice', 'airfare'],
  tax: ['taxamount', 'valueaddedtaxamount', 'vatamount', 'totaltaxam'],
  amount: ['amountexcludingtax', 'totalamwithouttax', 'amountwithouttax'],
  total: ['totalamount', 'total', 'totaltaxincludedamount', 'totaltax-includedamount'],
} as const;

function readXbrl(root: XNode, d: InvoiceDraft, src: FieldSource, c: number): boolean {
  const byName = new Map<string, string>();
  const walk = (n: XNode) => {
    const t = n.text.trim();
    const key = n.name.toLowerCase();
    if (t && n.children.length === 0 && !byName.has(key)) byName.set(key, t);
    for (const k of n.children) walk(k);
  };
  walk(root);
  const pick = (names: readonly string[]) => {
    for (const n of names) {
      const v = byName.get(n);
      if (v) return v;
    }
    return null;
  };
  const number = digits(pick(XBRL_NAMES.number));
  const rail =
    [...byName.keys()].some((k) => k.includes('train')) || Object.keys(root.attrs).some((a) => /rai/i.test(a));
  const air = [...byName.keys()].some((k) => k.includes('flight'));
  if (!number && !rail && !air) return false;
  d.set('kind', rail ? '51' : air ? '61' : 'other', src, c);
  d.set('number', number, src, c);
  d.set('issueDate', normDate(pick(XBRL_NAMES.issueDate)), src, c);
  d.set('buyer.name', normText(pick(XBRL_NAMES.buyerName)), src, c);
  d.set('buyer.taxId', normTaxId(pick(XBRL_NAMES.buyerTaxId)), src, c);
  d.set('seller.name', normText(pick(XBRL_NAMES.sellerName)), src, c);
  d.set('seller.taxId', normTaxId(pick(XBRL_NAMES.sellerTaxId)), src, c);
  const tax = normMoney(pick(XBRL_NAMES.tax));
  const total = normMoney(pick(XBRL_NAMES.total));
  d.set('totals.tax', tax, src, c);
  d.set('totals.total', total, src, c);
  d.set('totals.amount', normMoney(pick(XBRL_NAMES.amount)), src, c);
  d.setPassenger(
    {
      name: normText(pick(XBRL_NAMES.passenger)),
      idNumber: normText(pick(XBRL_NAMES.idNumber)),
      travelDate: normDate(pick(XBRL_NAMES.travelDate)),
      from: normText(pick(XBRL_NAMES.from)),
      to: normText(pick(XBRL_NAMES.to)),
      trip: normText(pick(XBRL_NAMES.trip)),
      seatClass: normText(pick(XBRL_NAMES.seatClass)),
      fare: normMoney(pick(XBRL_NAMES.fare)),
      tax,
    },
    src,
    c,
  );
  return true;
}

function digits(raw: string | null): string | null {
  if (!raw) return null;
  const s = raw.replace(/\s+/g, '');
  return /^\d+$/.test(s) ? s : null;
}

/** Re-exported for the OFD reader: a descendant by name. */
export { at, find };
