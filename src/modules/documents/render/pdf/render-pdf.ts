import { getDocumentFont } from '../font/document-font.js';
import { GlyphSubset } from '../font/ttf-subset.js';
import { cstParts, type InvoiceDocument } from '../invoice-document.js';
import type { PageDrawing } from '../layout/display-list.js';
import { MM, pageContent } from './pdf-content.js';
import { writeSubsetFont } from './pdf-font.js';
import { num, PdfWriter, textString } from './pdf-writer.js';

/**
 * Writes the invoice PDF: one page per drawing, the font embedded as a per-document subset, and the invoice XML
 * attached as an associated file (`/AF` + `/EmbeddedFiles`, AFRelationship Source, the PDF/A-3 way) so our own
 * PDFs parse back losslessly. The output is deterministic: same invoice, same bytes (dates come from the invoice).
 * `subset` may be shared with the OFD of the same invoice (render-invoice-documents.ts): glyphs it already holds keep
 * their ids, and the font is built and compressed once for both.
 */
export function renderPdf(
  doc: InvoiceDocument,
  pages: readonly PageDrawing[],
  xml: Buffer,
  subset = new GlyphSubset(getDocumentFont()),
): Buffer {
  const pdf = new PdfWriter();
  const catalog = pdf.ref();
  const pagesRef = pdf.ref();
  const fontRef = pdf.ref();
  const kids = pages.map((page) => {
    const content = pdf.stream(pageContent(page, subset));
    return pdf.add(
      `<< /Type /Page /Parent ${pagesRef} /MediaBox [0 0 ${num(page.width * MM)} ${num(page.height * MM)}] ` +
        `/Resources << /Font << /F1 ${fontRef} >> >> /Contents ${content} >>`,
    );
  });
  writeSubsetFont(pdf, subset, fontRef);
  pdf.set(pagesRef, `<< /Type /Pages /Kids [${kids.join(' ')}] /Count ${kids.length} >>`);
  const date = pdfDate(doc.issuedAt);
  const xmlName = `${doc.number}.xml`;
  const embedded = pdf.stream(
    xml,
    `/Type /EmbeddedFile /Subtype /text#2Fxml /Params << /Size ${xml.length} /ModDate ${date} >>`,
  );
  const spec = pdf.add(
    `<< /Type /Filespec /F ${textString(xmlName)} /UF ${textString(xmlName)} /EF << /F ${embedded} /UF ${embedded} >> ` +
      `/AFRelationship /Source /Desc ${textString('数电发票 XML (EInvoice)')} >>`,
  );
  pdf.set(
    catalog,
    `<< /Type /Catalog /Pages ${pagesRef} /Names << /EmbeddedFiles << /Names [${textString(xmlName)} ${spec}] >> >> ` +
      `/AF [${spec}] /Lang (zh-CN) >>`,
  );
  const info = pdf.add(
    `<< /Title ${textString(`${doc.kindName} ${doc.number}`)} /Producer (OpenFapiao) /CreationDate ${date} >>`,
  );
  return pdf.finish(catalog, info, `${doc.number}:${doc.issuedAt}`);
}

/** PDF date string in China Standard Time: (D:20250601100000+08'00'). */
function pdfDate(epochMs: number): string {
  const { date, time } = cstParts(epochMs);
  return `(D:${date.replaceAll('-', '')}${time.replaceAll(':', '')}+08'00')`;
}
