/** Multi-invoice PDFs for the parser and intake tests: rendered invoices concatenated with pdf-lib. */
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { renderInvoiceDocuments } from '../../src/modules/documents/render/render-invoice-documents.js';
import { sampleInvoice } from '../../src/modules/documents/render/sample-invoices.js';

export const MULTI_NUMBERS = ['25312000000000000101', '25312000000000000102', '25312000000000000103'] as const;

/** Three rendered invoices (the second with 30 lines: two pages, the header repeated), each with its own number. */
export function threeInvoices() {
  return MULTI_NUMBERS.map((number, i) => {
    const doc = sampleInvoice({ kind: i === 0 ? '81' : '82', number, ...(i === 1 ? { lineCount: 30 } : {}) });
    return { doc, rendered: renderInvoiceDocuments(doc) };
  });
}

/** The PDFs' pages one after another (pdf-lib copyPages: the embedded XMLs are not carried over). */
export async function concatPdfs(pdfs: readonly Uint8Array[], extraPageAfter?: number): Promise<Uint8Array> {
  const out = await PDFDocument.create();
  for (const [i, bytes] of pdfs.entries()) {
    const src = await PDFDocument.load(bytes);
    for (const page of await out.copyPages(src, src.getPageIndices())) out.addPage(page);
    if (i === extraPageAfter) {
      // A continuation page without any invoice header (an attached list).
      const page = out.addPage([595, 420]);
      const font = await out.embedFont(StandardFonts.Helvetica);
      page.drawText('Attached list, continued: item 31 ... item 40', { x: 40, y: 380, size: 10, font });
    }
  }
  return out.save();
}
