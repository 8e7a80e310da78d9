/**
 * The item table: each invoice line becomes one or more text rows (long `*简称*名称` and 规格型号 wrap inside their
 * column), and rows are packed into pages without splitting a line across pages (tax-rules §9.3: long invoices
 * continue the table on further pages with the header repeated).
 */
import type { DocumentLine } from '../invoice-document.js';
import { type PageBuilder, TEXT_SIZE } from './draw-helpers.js';
import { COLUMNS, FRAME_Y } from './invoice-header.js';
import { wrapText } from './text-metrics.js';

/** Height of one text row, mm. */
export const ROW_HEIGHT = 4.2;
/** Text rows that fit between the table header and the 合计 row. */
export const ROWS_PER_PAGE = 8;
const FIRST_BASELINE = FRAME_Y.parties + 7.6;
/** A single line never takes more than a page. */
const MAX_ROWS_PER_LINE = ROWS_PER_PAGE;

/** One invoice line laid out in rows. */
export interface ItemBlock {
  readonly line: DocumentLine;
  readonly nameRows: readonly string[];
  readonly specRows: readonly string[];
  readonly unitRows: readonly string[];
  readonly rows: number;
}

/** Wraps every line and packs them into pages (at least one page, possibly empty). */
export function paginateItems(lines: readonly DocumentLine[]): ItemBlock[][] {
  const pages: ItemBlock[][] = [[]];
  let used = 0;
  for (const line of lines) {
    const block = layoutLine(line);
    if (used + block.rows > ROWS_PER_PAGE && used > 0) {
      pages.push([]);
      used = 0;
    }
    pages[pages.length - 1]?.push(block);
    used += block.rows;
  }
  return pages;
}

function layoutLine(line: DocumentLine): ItemBlock {
  const wrap = (text: string | null, col: { left: number; right: number }) =>
    text ? wrapText(text, col.right - col.left, TEXT_SIZE).slice(0, MAX_ROWS_PER_LINE) : [];
  const nameRows = wrap(line.name, COLUMNS.name);
  const specRows = wrap(line.spec, COLUMNS.spec);
  const unitRows = wrap(line.unit, COLUMNS.unit);
  const rows = Math.max(1, nameRows.length, specRows.length, unitRows.length);
  return { line, nameRows, specRows, unitRows, rows };
}

/** Draws one page's item blocks. */
export function drawItems(b: PageBuilder, blocks: readonly ItemBlock[]): void {
  let row = 0;
  for (const block of blocks) {
    const y = FIRST_BASELINE + row * ROW_HEIGHT;
    const { line } = block;
    block.nameRows.forEach((t, i) => {
      b.text(COLUMNS.name.left, y + i * ROW_HEIGHT, t);
    });
    block.specRows.forEach((t, i) => {
      b.text(COLUMNS.spec.left, y + i * ROW_HEIGHT, t);
    });
    block.unitRows.forEach((t, i) => {
      b.center((COLUMNS.unit.left + COLUMNS.unit.right) / 2, y + i * ROW_HEIGHT, t);
    });
    b.right(COLUMNS.quantity.right, y, line.quantity ?? '');
    b.right(COLUMNS.unitPrice.right, y, line.unitPrice ?? '');
    b.right(COLUMNS.amount.right, y, line.amount);
    b.center((COLUMNS.taxRate.left + COLUMNS.taxRate.right) / 2, y, line.taxRateLabel);
    b.right(COLUMNS.tax.right, y, line.taxLabel);
    row += block.rows;
  }
}
