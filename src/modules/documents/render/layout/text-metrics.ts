import { getDocumentFont } from '../font/document-font.js';

/** Width of `text` in mm at font size `size` mm, from the document font's advance widths. */
export function measureText(text: string, size: number): number {
  const font = getDocumentFont();
  let units = 0;
  for (const ch of text) units += font.advanceOf(font.glyphOf(ch.codePointAt(0) ?? 0));
  return (units / font.unitsPerEm) * size;
}

/** Breaks `text` into lines no wider than `width` mm (at any character: CJK text has no spaces to break at). */
export function wrapText(text: string, width: number, size: number): string[] {
  const font = getDocumentFont();
  const lines: string[] = [];
  let line = '';
  let lineUnits = 0;
  const limit = (width / size) * font.unitsPerEm;
  for (const ch of text.replace(/\s+/g, ' ')) {
    const units = font.advanceOf(font.glyphOf(ch.codePointAt(0) ?? 0));
    if (line !== '' && lineUnits + units > limit) {
      lines.push(line);
      line = '';
      lineUnits = 0;
    }
    line += ch;
    lineUnits += units;
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}
