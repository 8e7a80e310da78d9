/**
 * Writes the invoice OFD (GB/T 33190-2016, tax-rules §9.2): a ZIP with OFD.xml (DocInfo + the invoice fields as
 * CustomData, the way real 数电 OFDs carry them), Doc_0/Document.xml, PublicRes.xml (the embedded font subset),
 * DocumentRes.xml (the QR image), one Content.xml per page, CustomTags mapping fields to text objects, and the
 * EInvoice XML as an attachment. Deterministic: fixed zip timestamps taken from the invoice.
 */
import { createHash } from 'node:crypto';
import { DOCUMENT_FONT_NAME, getDocumentFont } from '../font/document-font.js';
import { GlyphSubset } from '../font/ttf-subset.js';
import { cstParts, type InvoiceDocument, printedDate } from '../invoice-document.js';
import type { PageDrawing } from '../layout/display-list.js';
import { createQrMatrix, type QrMatrix } from '../qr/qr-matrix.js';
import { qrToPng } from '../qr/qr-png.js';
import { escapeXml } from '../xml/xml-builder.js';
import { ofdPageXml } from './ofd-page.js';
import { zipFiles } from './zip-writer.js';

const NS = 'xmlns:ofd="http://www.ofdspec.org/2016"';
const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** The CustomData entries of OFD.xml (names as real 数电 OFD invoices use them). */
export function ofdCustomData(doc: InvoiceDocument): Array<[string, string]> {
  return [
    ['发票号码', doc.number],
    ['开票日期', printedDate(doc.issuedAt)],
    ['合计金额', doc.totals.amount],
    ['合计税额', doc.totals.tax],
    ['价税合计', doc.totals.total],
    ['购买方名称', doc.buyer.name],
    ['购买方纳税人识别号', doc.buyer.taxId ?? ''],
    ['销售方名称', doc.seller.name],
    ['销售方纳税人识别号', doc.seller.taxId ?? ''],
  ];
}

/** The QR symbol the layout drew (same payload, already encoded), if any. */
function qrOf(pages: readonly PageDrawing[]): QrMatrix | undefined {
  for (const page of pages) {
    for (const op of page.ops) if (op.kind === 'qr') return { count: op.count, modules: op.modules };
  }
  return undefined;
}

/** Renders the OFD package. `subset` may be shared with the invoice's PDF (see renderPdf). */
export function renderOfd(
  doc: InvoiceDocument,
  pages: readonly PageDrawing[],
  xml: Buffer,
  subset = new GlyphSubset(getDocumentFont()),
): Buffer {
  let unit = 0;
  const next = () => ++unit;
  const fontId = next();
  const qrImageId = next();
  const tags = new Map<string, Array<[number, number]>>();
  const pageIds: number[] = [];
  const files: Record<string, Uint8Array> = {};
  pages.forEach((page, i) => {
    const pageId = next();
    pageIds.push(pageId);
    const tagged = (tag: string, id: number) => tags.set(tag, [...(tags.get(tag) ?? []), [pageId, id]]);
    files[`Doc_0/Pages/Page_${i}/Content.xml`] = utf8(ofdPageXml(page, { next, fontId, qrImageId, tagged }, subset));
  });
  files['Doc_0/Res/font_subset.ttf'] = subset.build();
  files['Doc_0/Res/qr.png'] = qrToPng(qrOf(pages) ?? createQrMatrix(doc.qrPayload));
  files[`Doc_0/Attachs/${doc.number}.xml`] = xml;
  files['Doc_0/Attachs/Attachments.xml'] = utf8(
    `${XML_HEAD}<ofd:Attachments ${NS}><ofd:Attachment ID="${next()}" Name="${doc.number}" Format="xml" ` +
      `CreationDate="${cstParts(doc.issuedAt).date}" Size="${(xml.length / 1024).toFixed(4)}" Visible="false">` +
      `<ofd:FileLoc>${doc.number}.xml</ofd:FileLoc></ofd:Attachment></ofd:Attachments>`,
  );
  files['Doc_0/PublicRes.xml'] = utf8(
    `${XML_HEAD}<ofd:Res ${NS} BaseLoc="Res"><ofd:Fonts><ofd:Font ID="${fontId}" FontName="${DOCUMENT_FONT_NAME}" ` +
      `FamilyName="Noto Sans SC"><ofd:FontFile>font_subset.ttf</ofd:FontFile></ofd:Font></ofd:Fonts></ofd:Res>`,
  );
  files['Doc_0/DocumentRes.xml'] = utf8(
    `${XML_HEAD}<ofd:Res ${NS} BaseLoc="Res"><ofd:MultiMedias><ofd:MultiMedia ID="${qrImageId}" Type="Image" ` +
      'Format="PNG"><ofd:MediaFile>qr.png</ofd:MediaFile></ofd:MultiMedia></ofd:MultiMedias></ofd:Res>',
  );
  files['Doc_0/Tags/CustomTags.xml'] = utf8(
    `${XML_HEAD}<ofd:CustomTags ${NS}><ofd:CustomTag TypeID="fp"><ofd:FileLoc>CustomTag.xml</ofd:FileLoc>` +
      '</ofd:CustomTag></ofd:CustomTags>',
  );
  files['Doc_0/Tags/CustomTag.xml'] = utf8(customTagXml(tags));
  files['Doc_0/Document.xml'] = utf8(documentXml(pageIds, unit));
  files['OFD.xml'] = utf8(ofdXml(doc));
  return zipFiles(files, new Date(doc.issuedAt));
}

const utf8 = (s: string) => Buffer.from(s, 'utf8');

function ofdXml(doc: InvoiceDocument): string {
  const customData = ofdCustomData(doc)
    .map(([name, value]) => `<ofd:CustomData Name="${name}">${escapeXml(value)}</ofd:CustomData>`)
    .join('');
  const date = cstParts(doc.issuedAt).date;
  const docId = createHash('md5').update(`ofd:${doc.number}`).digest('hex');
  return (
    `${XML_HEAD}<ofd:OFD ${NS} DocType="OFD" Version="1.0"><ofd:DocBody><ofd:DocInfo><ofd:DocID>${docId}</ofd:DocID>` +
    `<ofd:Title>${escapeXml(`${doc.kindName} ${doc.number}`)}</ofd:Title><ofd:CreationDate>${date}</ofd:CreationDate>` +
    `<ofd:Creator>OpenFapiao</ofd:Creator><ofd:CustomDatas>${customData}</ofd:CustomDatas></ofd:DocInfo>` +
    '<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>'
  );
}

function documentXml(pageIds: readonly number[], maxUnitId: number): string {
  const pages = pageIds.map((id, i) => `<ofd:Page ID="${id}" BaseLoc="Pages/Page_${i}/Content.xml"/>`).join('');
  return (
    `${XML_HEAD}<ofd:Document ${NS}><ofd:CommonData><ofd:MaxUnitID>${maxUnitId}</ofd:MaxUnitID>` +
    '<ofd:PageArea><ofd:PhysicalBox>0 0 210 140</ofd:PhysicalBox></ofd:PageArea>' +
    '<ofd:PublicRes>PublicRes.xml</ofd:PublicRes><ofd:DocumentRes>DocumentRes.xml</ofd:DocumentRes></ofd:CommonData>' +
    `<ofd:Pages>${pages}</ofd:Pages><ofd:Attachments>Attachs/Attachments.xml</ofd:Attachments>` +
    '<ofd:CustomTags>Tags/CustomTags.xml</ofd:CustomTags></ofd:Document>'
  );
}

function customTagXml(tags: ReadonlyMap<string, Array<[number, number]>>): string {
  const body = [...tags]
    .map(([tag, refs]) => {
      const objectRefs = refs.map(([page, id]) => `<ofd:ObjectRef PageRef="${page}">${id}</ofd:ObjectRef>`).join('');
      return `<ofd:${tag}>${objectRefs}</ofd:${tag}>`;
    })
    .join('');
  return `${XML_HEAD}<ofd:root ${NS} version="1.0">${body}</ofd:root>`;
}
