/**
 * One OFD page (GB/T 33190 `Page/Content/Layer`) from the display list: TextObjects with TextCode X/Y and DeltaX
 * taken from the embedded font's advances, PathObjects for frame lines and the ⓧ mark, and an ImageObject for the
 * QR code. Coordinates are the display list's millimetres (OFD uses mm with the origin top-left, tax-rules §9.2).
 */
import type { GlyphSubset } from '../font/ttf-subset.js';
import type { DrawOp, LineOp, PageDrawing, PathOp, Rgb, TextOp } from '../layout/display-list.js';
import { num } from '../pdf/pdf-writer.js';
import { escapeXml } from '../xml/xml-builder.js';

/** Ids the page content needs. */
export interface OfdPageIds {
  next(): number;
  readonly fontId: number;
  readonly qrImageId: number;
  /** Records the TextObject id of a tagged field (for CustomTag.xml). */
  tagged(tag: string, objectId: number): void;
}

const color = (tag: 'FillColor' | 'StrokeColor', c: Rgb) => `<ofd:${tag} Value="${c[0]} ${c[1]} ${c[2]}"/>`;

/** The Content.xml of one page. */
export function ofdPageXml(page: PageDrawing, ids: OfdPageIds, subset: GlyphSubset): string {
  const objects = page.ops.map((op) => drawOp(op, ids, subset)).join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Page xmlns:ofd="http://www.ofdspec.org/2016">' +
    `<ofd:Area><ofd:PhysicalBox>0 0 ${num(page.width)} ${num(page.height)}</ofd:PhysicalBox></ofd:Area>` +
    `<ofd:Content><ofd:Layer ID="${ids.next()}">${objects}</ofd:Layer></ofd:Content></ofd:Page>`
  );
}

function drawOp(op: DrawOp, ids: OfdPageIds, subset: GlyphSubset): string {
  switch (op.kind) {
    case 'text':
      return textObject(op, ids, subset);
    case 'line':
      return lineObject(op, ids.next());
    case 'path':
      return pathObject(op, ids.next());
    case 'qr':
      return (
        `<ofd:ImageObject ID="${ids.next()}" CTM="${num(op.size)} 0 0 ${num(op.size)} 0 0" ` +
        `Boundary="${num(op.x)} ${num(op.y)} ${num(op.size)} ${num(op.size)}" ResourceID="${ids.qrImageId}"/>`
      );
  }
}

function textObject(op: TextOp, ids: OfdPageIds, subset: GlyphSubset): string {
  const id = ids.next();
  if (op.tag) ids.tagged(op.tag, id);
  const glyphs = subset.encode(op.text);
  const advances = glyphs.map((g) => (subset.widthOf(g) / 1000) * op.size);
  const width = advances.reduce((a, b) => a + b, 0);
  const boundary = `${num(op.x)} ${num(op.y - op.size)} ${num(width + 0.5)} ${num(op.size * 1.35)}`;
  const weight = op.bold ? ' Weight="700"' : '';
  return (
    `<ofd:TextObject ID="${id}" Boundary="${boundary}" Font="${ids.fontId}" Size="${num(op.size)}"${weight}>` +
    `${color('FillColor', op.color)}<ofd:TextCode X="0" Y="${num(op.size)}"${deltaX(advances)}>` +
    `${escapeXml(op.text)}</ofd:TextCode></ofd:TextObject>`
  );
}

/** DeltaX of all but the last character, with runs of equal values written as `g <count> <value>`. */
function deltaX(advances: readonly number[]): string {
  const values = advances.slice(0, -1).map(num);
  if (values.length === 0) return '';
  const parts: string[] = [];
  for (let i = 0; i < values.length; ) {
    let j = i;
    while (j < values.length && values[j] === values[i]) j++;
    parts.push(j - i > 1 ? `g ${j - i} ${values[i]}` : (values[i] ?? '0'));
    i = j;
  }
  return ` DeltaX="${parts.join(' ')}"`;
}

function lineObject(op: LineOp, id: number): string {
  const x = Math.min(op.x1, op.x2);
  const y = Math.min(op.y1, op.y2);
  const w = Math.max(Math.abs(op.x2 - op.x1), op.width);
  const h = Math.max(Math.abs(op.y2 - op.y1), op.width);
  const data = `M ${num(op.x1 - x)} ${num(op.y1 - y)} L ${num(op.x2 - x)} ${num(op.y2 - y)}`;
  return (
    `<ofd:PathObject ID="${id}" Boundary="${num(x)} ${num(y)} ${num(w)} ${num(h)}" LineWidth="${num(op.width)}">` +
    `${color('StrokeColor', op.color)}<ofd:AbbreviatedData>${data}</ofd:AbbreviatedData></ofd:PathObject>`
  );
}

function pathObject(op: PathOp, id: number): string {
  const xs = op.commands.flatMap((c) => c.slice(1).filter((_, i) => i % 2 === 0) as number[]);
  const ys = op.commands.flatMap((c) => c.slice(1).filter((_, i) => i % 2 === 1) as number[]);
  const x0 = Math.min(...xs);
  const y0 = Math.min(...ys);
  const rel = (v: number, i: number) => num(i % 2 === 0 ? v - x0 : v - y0);
  const data = op.commands
    .map((c) => `${c[0] === 'C' ? 'B' : c[0]} ${(c.slice(1) as number[]).map(rel).join(' ')}`)
    .join(' ');
  const boundary = `${num(x0)} ${num(y0)} ${num(Math.max(...xs) - x0)} ${num(Math.max(...ys) - y0)}`;
  return (
    `<ofd:PathObject ID="${id}" Boundary="${boundary}" LineWidth="${num(op.width)}">` +
    `${color('StrokeColor', op.color)}<ofd:AbbreviatedData>${data}</ofd:AbbreviatedData></ofd:PathObject>`
  );
}
