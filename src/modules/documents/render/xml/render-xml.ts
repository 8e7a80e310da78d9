/**
 * The invoice as 数电 `EInvoice` XML (tax-rules §9.1): Header (EIid, EInvoiceTag, Version, InherentLabel),
 * EInvoiceData (seller, buyer, BasicInformation totals, one IssuItemInformation per line, SpecificInformation for
 * red invoices, AdditionalInformation remark) and TaxSupervisionInfo. UTF-8, no namespace, element names exactly as
 * the real files spell them (note `TotalTax-includedAmount`).
 */
import { formatMoney, TaxDecimal } from '../../../../tax/index.js';
import { cstParts, type DocumentLine, type DocumentParty, type InvoiceDocument } from '../invoice-document.js';
import { el, leaf } from './xml-builder.js';

/** Version we write in Header/Version (the real files carry 0.32 or 0.37). */
export const EINVOICE_XML_VERSION = '0.32';

/** Renders the EInvoice XML document. */
export function renderInvoiceXml(doc: InvoiceDocument): Buffer {
  const { date, time } = cstParts(doc.issuedAt);
  const province = doc.number.slice(2, 4);
  const header = el(
    'Header',
    leaf('EIid', doc.number),
    leaf('EInvoiceTag', `SWEI${province}00`),
    leaf('Version', EINVOICE_XML_VERSION),
    el(
      'InherentLabel',
      el('InIssuType', leaf('LabelCode', doc.isRed ? 'N' : 'Y'), leaf('LabelName', '是否蓝字发票标志')),
      el('EInvoiceType', leaf('LabelCode', doc.kind), leaf('LabelName', '电子发票')),
      el(
        'GeneralOrSpecialVAT',
        leaf('LabelCode', doc.isSpecial ? '01' : '02'),
        leaf('LabelName', doc.isSpecial ? '增值税专用发票' : '普通发票'),
      ),
    ),
  );
  const data = el(
    'EInvoiceData',
    party('Seller', doc.seller),
    party('Buyer', doc.buyer),
    el(
      'BasicInformation',
      leaf('TotalAmWithoutTax', doc.totals.amount),
      leaf('TotalTaxAm', doc.totals.tax),
      leaf('TotalTax-includedAmount', doc.totals.total),
      leaf('TotalTax-includedAmountInChinese', doc.totals.totalInWords),
      leaf('Drawer', doc.drawer),
      leaf('RequestTime', `${date} ${time}`),
    ),
    ...doc.lines.map(item),
    doc.red &&
      el(
        'SpecificInformation',
        el(
          'RedEInvoice',
          leaf('OriginalInvoiceCode', ''),
          leaf('OriginalInvoiceNumber', doc.red.blueNumber),
          leaf('CreditNoteNumber', doc.red.formNo),
        ),
      ),
    el('AdditionalInformation', leaf('Remark', doc.remark)),
  );
  const supervision = el(
    'TaxSupervisionInfo',
    leaf('InvoiceNumber', doc.number),
    leaf('IssueTime', date),
    leaf('TaxBureauCode', doc.taxBureau.code),
    leaf('TaxBureauName', doc.taxBureau.name),
  );
  return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${el('EInvoice', header, data, supervision)}\n`);
}

function party(role: 'Seller' | 'Buyer', p: DocumentParty): string {
  return el(
    `${role}Information`,
    leaf(`${role}IdNum`, p.taxId),
    leaf(`${role}Name`, p.name),
    leaf(`${role}Addr`, p.address),
    leaf(`${role}TelNum`, p.phone),
    leaf(`${role}BankName`, p.bankName),
    leaf(`${role}BankAccNum`, p.bankAccount),
  );
}

function item(line: DocumentLine): string {
  return el(
    'IssuItemInformation',
    leaf('ItemName', line.name),
    leaf('SpecMod', line.spec),
    leaf('MeaUnits', line.unit),
    leaf('Quantity', line.quantity),
    leaf('UnPrice', line.unitPrice),
    leaf('Amount', line.amount),
    leaf('TaxRate', line.taxRate),
    leaf('ComTaxAm', line.tax),
    leaf('TotaltaxIncludedAmount', formatMoney(new TaxDecimal(line.amount).plus(line.tax))),
    leaf('TaxClassificationCode', line.taxCode),
  );
}
