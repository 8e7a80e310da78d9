import { getDocumentFont } from '../font/document-font.js';
import { GlyphSubset } from '../font/ttf-subset.js';
import type { PageDrawing } from '../layout/display-list.js';
import { MM, pageContent } from './pdf-content.js';
import { writeSubsetFont } from './pdf-font.js';
import { num, PdfWriter, textString } from './pdf-writer.js';

/**
 * Any display-list drawing (not an invoice: a poster, a sheet) as a PDF with the document font embedded as a subset.
 * Deterministic: the same pages and `idSeed` give the same bytes (no creation date is written).
 */
export function renderDrawingPdf(pages: readonly PageDrawing[], meta: { title: string; idSeed: string }): Buffer {
  const subset = new GlyphSubset(getDocumentFont());
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
  pdf.set(catalog, `<< /Type /Catalog /Pages ${pagesRef} /Lang (zh-CN) >>`);
  const info = pdf.add(`<< /Title ${textString(meta.title)} /Producer (OpenFapiao) >>`);
  return pdf.finish(catalog, info, meta.idSeed);
}
