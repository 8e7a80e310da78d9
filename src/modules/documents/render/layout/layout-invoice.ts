import type { InvoiceDocument } from '../invoice-document.js';
import { createQrMatrix } from '../qr/qr-matrix.js';
import type { PageDrawing } from './display-list.js';
import { PageBuilder } from './draw-helpers.js';
import { drawFooter } from './invoice-footer.js';
import { drawHeader, PAGE_HEIGHT, PAGE_WIDTH } from './invoice-header.js';
import { drawItems, paginateItems } from './invoice-items.js';

/**
 * Lays an invoice out as pages of the official 数电 form (210 × 140 mm, tax-rules §9.3): every page repeats the
 * header, parties and table header; the items flow over as many pages as needed; totals, remark and drawer values
 * are printed on the last page.
 */
export function layoutInvoice(doc: InvoiceDocument): PageDrawing[] {
  const qr = createQrMatrix(doc.qrPayload);
  const itemPages = paginateItems(doc.lines);
  return itemPages.map((blocks, i) => {
    const b = new PageBuilder();
    drawHeader(b, doc, qr, i + 1, itemPages.length);
    drawItems(b, blocks);
    drawFooter(b, doc, i === itemPages.length - 1);
    return { width: PAGE_WIDTH, height: PAGE_HEIGHT, ops: b.ops };
  });
}
