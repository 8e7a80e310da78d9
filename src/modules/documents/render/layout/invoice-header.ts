/**
 * The parts repeated on every page: title, QR code, number and date, the frame, the buyer and seller blocks and the
 * item table's header row. Coordinates (mm, page 210 × 140) follow the official 数电 template as real OFD files
 * carry it (tax-rules §9.3: title box x 56 y 8, frame lines at y 30/52/96/104/124, number value at x 170 …).
 */

import type { InvoiceDocument } from '../invoice-document.js';
import { printedDate } from '../invoice-document.js';
import type { QrMatrix } from '../qr/qr-matrix.js';
import { LABEL_COLOR } from './display-list.js';
import { type PageBuilder, TEXT_SIZE } from './draw-helpers.js';
import { measureText } from './text-metrics.js';

export const PAGE_WIDTH = 210;
export const PAGE_HEIGHT = 140;
const LEFT = 4.5;
const RIGHT = 205.5;
/** Horizontal frame lines (tax-rules §9.3). */
export const FRAME_Y = { top: 30, parties: 52, totals: 96, words: 104, bottom: 124 } as const;
const RED_MARK_COLOR = [200, 0, 0] as const;

/** Item table columns: left/right edges in mm and alignment. */
export const COLUMNS = {
  name: { left: 5, right: 40.5, align: 'left' },
  spec: { left: 41.5, right: 61.5, align: 'left' },
  unit: { left: 62.5, right: 76.5, align: 'center' },
  quantity: { left: 77.5, right: 101.5, align: 'right' },
  unitPrice: { left: 102.5, right: 126.5, align: 'right' },
  amount: { left: 127.5, right: 152.5, align: 'right' },
  taxRate: { left: 154, right: 178, align: 'center' },
  tax: { left: 179.5, right: 204.5, align: 'right' },
} as const;

/** Draws the repeated page parts. `page`/`pages` print a page counter when the invoice has several pages. */
export function drawHeader(b: PageBuilder, doc: InvoiceDocument, qr: QrMatrix, page: number, pages: number): void {
  b.ops.push({ kind: 'qr', x: 7, y: 6, size: 19, count: qr.count, modules: qr.modules });
  b.center(102, 14.2, doc.kindName, { size: 6, color: LABEL_COLOR, bold: true });
  b.line(65.5, 18, 138.5, 18);
  b.line(65.5, 19, 138.5, 19);
  if (doc.isRed) b.center(102, 25.5, '红字发票', { size: 4.2, color: RED_MARK_COLOR, bold: true });
  b.label(150, 13.7, '发票号码：');
  b.text(166, 13.9, doc.number, { tag: 'InvoiceNo' });
  b.label(150, 19.7, '开票日期：');
  b.text(166, 19.9, printedDate(doc.issuedAt), { tag: 'IssueDate' });
  if (pages > 1) b.label(150, 25.7, `共${pages}页　第${page}页`);
  drawFrame(b);
  drawParty(b, 0, '购买方信息', doc.buyer, 'Buyer');
  drawParty(b, 100.5, '销售方信息', doc.seller, 'Seller');
  const headerY = FRAME_Y.parties + 3.7;
  b.label(15.5, headerY, '项目名称');
  b.label(43.5, headerY, '规格型号');
  b.label(66, headerY, '单　位');
  b.label(92.5, headerY, '数　量');
  b.label(117.5, headerY, '单　价');
  b.label(143, headerY, '金　额');
  b.label(157, headerY, '税率/征收率');
  b.label(194, headerY, '税　额');
}

function drawFrame(b: PageBuilder): void {
  for (const y of Object.values(FRAME_Y)) b.line(LEFT, y, RIGHT, y);
  b.line(LEFT, FRAME_Y.top, LEFT, FRAME_Y.bottom);
  b.line(RIGHT, FRAME_Y.top, RIGHT, FRAME_Y.bottom);
  for (const x of [10.7, 105.2, 111.2]) b.line(x, FRAME_Y.top, x, FRAME_Y.parties);
  b.line(10.7, FRAME_Y.words, 10.7, FRAME_Y.bottom);
  b.line(56.5, FRAME_Y.totals, 56.5, FRAME_Y.words);
}

function drawParty(
  b: PageBuilder,
  dx: number,
  title: string,
  party: InvoiceDocument['buyer'],
  tag: 'Buyer' | 'Seller',
): void {
  [...title].forEach((ch, i) => {
    b.label(5.8 + dx, 35.2 + i * 3.5, ch);
  });
  b.label(11 + dx, 36.2, '名称：');
  const nameSize = Math.min(TEXT_SIZE, 82 / Math.max(measureText(party.name, 1), 1));
  b.text(20 + dx, 36.5, party.name, { size: nameSize, tag: `${tag}Name` });
  b.label(11 + dx, 46.7, '统一社会信用代码/纳税人识别号：');
  b.text(62 + dx, 46.9, party.taxId ?? '', { size: 3.5, tag: `${tag}TaxID` });
}
