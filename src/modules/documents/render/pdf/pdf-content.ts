/**
 * Turns a page of the display list into a PDF content stream (points, origin bottom-left). Text is encoded through
 * the document's {@link GlyphSubset} as 2-byte glyph ids (Identity-H); the QR code is drawn as filled rectangles,
 * one per run of dark modules.
 */
import type { GlyphSubset } from '../font/ttf-subset.js';
import type { DrawOp, PageDrawing, PathOp, QrOp, Rgb, TextOp } from '../layout/display-list.js';
import { num } from './pdf-writer.js';

/** Millimetres to points. */
export const MM = 72 / 25.4;

const rgb = (c: Rgb) => `${num(c[0] / 255)} ${num(c[1] / 255)} ${num(c[2] / 255)}`;

/** The content stream of one page. */
export function pageContent(page: PageDrawing, subset: GlyphSubset): string {
  const h = page.height;
  const out: string[] = [];
  for (const op of page.ops) out.push(drawOp(op, h, subset));
  return out.join('\n');
}

function drawOp(op: DrawOp, h: number, subset: GlyphSubset): string {
  switch (op.kind) {
    case 'text':
      return text(op, h, subset);
    case 'line':
      return `${num(op.width * MM)} w ${rgb(op.color)} RG ${num(op.x1 * MM)} ${num((h - op.y1) * MM)} m ${num(op.x2 * MM)} ${num((h - op.y2) * MM)} l S`;
    case 'path':
      return path(op, h);
    case 'qr':
      return qr(op, h);
  }
}

function text(op: TextOp, h: number, subset: GlyphSubset): string {
  let hex = '';
  for (const id of subset.encode(op.text)) hex += id.toString(16).padStart(4, '0');
  const color = rgb(op.color);
  const bold = op.bold ? `2 Tr ${num(op.size * MM * 0.03)} w ${color} RG ` : '';
  const body = `BT /F1 ${num(op.size * MM)} Tf ${bold}${color} rg ${num(op.x * MM)} ${num((h - op.y) * MM)} Td <${hex}> Tj ET`;
  return op.bold ? `q ${body} Q` : body;
}

function path(op: PathOp, h: number): string {
  const p = (x: number, y: number) => `${num(x * MM)} ${num((h - y) * MM)}`;
  const parts = op.commands.map((c) => {
    if (c[0] === 'M') return `${p(c[1], c[2])} m`;
    if (c[0] === 'L') return `${p(c[1], c[2])} l`;
    return `${p(c[1], c[2])} ${p(c[3], c[4])} ${p(c[5], c[6])} c`;
  });
  return `${num(op.width * MM)} w ${rgb(op.color)} RG ${parts.join(' ')} S`;
}

function qr(op: QrOp, h: number): string {
  const m = op.size / op.count;
  const rects: string[] = [];
  for (let row = 0; row < op.count; row++) {
    let col = 0;
    while (col < op.count) {
      if (!op.modules[row * op.count + col]) {
        col++;
        continue;
      }
      const start = col;
      while (col < op.count && op.modules[row * op.count + col]) col++;
      const x = (op.x + start * m) * MM;
      const y = (h - op.y - (row + 1) * m) * MM;
      // A hair of overlap hides anti-aliasing seams between adjacent rectangles.
      rects.push(`${num(x)} ${num(y)} ${num((col - start) * m * MM)} ${num(m * MM + 0.05)} re`);
    }
  }
  return `0 0 0 rg ${rects.join(' ')} f`;
}
