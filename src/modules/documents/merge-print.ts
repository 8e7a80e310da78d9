/**
 * 合并打印: the stored PDFs of several issued invoices as ONE print-ready A4 PDF, one or two invoices per page.
 * Each invoice page is placed as a Form XObject (pdf-lib `embedPdf`: the original page's content and fonts, not
 * re-rendered), scaled down to fit its slot when larger and centred, so text stays text (searchable, sharp in print).
 * Only merging: no font is subset or embedded here.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';

/** At most this many invoices per merged PDF. */
export const PRINT_MAX_INVOICES = 200;

/** A4 portrait in PDF points (1/72 inch). */
const A4 = { width: 595.28, height: 841.89 };
/** White margin around each slot, in points (5 mm): printers cannot print to the edge. */
const MARGIN = 14.17;

export type PerPage = 1 | 2;

/**
 * Merges invoice PDFs (in the given order) onto A4 pages: `perPage` 1 = one invoice page per sheet; 2 = two per
 * sheet, top and bottom half. An invoice with several pages (销货清单) takes one slot per page.
 */
export async function mergeInvoicePdfs(pdfs: readonly Uint8Array[], perPage: PerPage): Promise<Uint8Array> {
  // Loaded on the first merge (a few hundred ms of start-up every process would otherwise pay).
  const { PDFDocument } = await import('pdf-lib');
  const out = await PDFDocument.create();
  out.setTitle('合并打印');
  out.setCreator('OpenFapiao');
  out.setProducer('OpenFapiao');
  const fixed = new Date('2000-01-01T00:00:00Z');
  out.setCreationDate(fixed);
  out.setModificationDate(fixed);
  const slotHeight = A4.height / perPage;
  let slot = 0;
  let page = out.addPage([A4.width, A4.height]);
  for (const bytes of pdfs) {
    // Cooperative: one invoice per turn of the event loop (pdf-lib's load and save also yield every ~100 objects),
    // so a 200-invoice print does not hold other requests for its whole run.
    await nextTurn();
    const source = await PDFDocument.load(bytes, { updateMetadata: false });
    const embedded = await out.embedPdf(source, source.getPageIndices());
    for (const invoicePage of embedded) {
      if (slot === perPage) {
        page = out.addPage([A4.width, A4.height]);
        slot = 0;
      }
      const boxWidth = A4.width - 2 * MARGIN;
      const boxHeight = slotHeight - 2 * MARGIN;
      const scale = Math.min(1, boxWidth / invoicePage.width, boxHeight / invoicePage.height);
      const width = invoicePage.width * scale;
      const height = invoicePage.height * scale;
      // Slot 0 is the top of the sheet (PDF y grows upwards).
      const slotBottom = A4.height - (slot + 1) * slotHeight;
      page.drawPage(invoicePage, {
        x: (A4.width - width) / 2,
        y: slotBottom + (slotHeight - height) / 2,
        width,
        height,
      });
      slot++;
    }
  }
  return out.save({ useObjectStreams: true, objectsPerTick: 50 });
}
