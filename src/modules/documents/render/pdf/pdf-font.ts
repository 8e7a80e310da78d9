/**
 * Writes the document font as a Type0 / CIDFontType2 font with Identity-H encoding: the glyph subset as FontFile2,
 * a W widths array, and a ToUnicode CMap so text extraction (pdf.js, poppler, our own invoice collection) gets the
 * characters back (tech-notes §3: without ToUnicode a subset font yields no text).
 */
import { createHash } from 'node:crypto';
import { DOCUMENT_FONT_NAME } from '../font/document-font.js';
import type { GlyphSubset } from '../font/ttf-subset.js';
import type { PdfRef, PdfWriter } from './pdf-writer.js';

/** Writes the font objects, the Type0 font itself as `target` (already referenced by the pages). */
export function writeSubsetFont(pdf: PdfWriter, subset: GlyphSubset, target: PdfRef): void {
  const fontFile = subset.build();
  const { font } = subset;
  const scale = (v: number) => Math.round((v * 1000) / font.unitsPerEm);
  const name = `${subsetTag(subset.glyphs)}+${DOCUMENT_FONT_NAME}`;
  const file = pdf.stream(fontFile, `/Length1 ${fontFile.length}`);
  const descriptor = pdf.add(
    `<< /Type /FontDescriptor /FontName /${name} /Flags 4 /FontBBox [${font.bbox.map(scale).join(' ')}] ` +
      `/ItalicAngle 0 /Ascent ${scale(font.ascender)} /Descent ${scale(font.descender)} ` +
      `/CapHeight ${scale(font.capHeight)} /StemV 80 /FontFile2 ${file} >>`,
  );
  const widths = subset.glyphs.map((_, id) => subset.widthOf(id)).join(' ');
  const cidFont = pdf.add(
    `<< /Type /Font /Subtype /CIDFontType2 /BaseFont /${name} ` +
      '/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> ' +
      `/FontDescriptor ${descriptor} /CIDToGIDMap /Identity /DW 1000 /W [0 [${widths}]] >>`,
  );
  const toUnicode = pdf.stream(toUnicodeCmap(subset.unicodeOf));
  pdf.set(
    target,
    `<< /Type /Font /Subtype /Type0 /BaseFont /${name} /Encoding /Identity-H ` +
      `/DescendantFonts [${cidFont}] /ToUnicode ${toUnicode} >>`,
  );
}

/** Six capital letters identifying the subset (PDF 32000 §9.6.4), derived from its glyphs: deterministic. */
function subsetTag(glyphs: readonly number[]): string {
  const digest = createHash('sha1').update(Uint32Array.from(glyphs)).digest();
  let tag = '';
  for (let i = 0; i < 6; i++) tag += String.fromCharCode(65 + ((digest[i] ?? 0) % 26));
  return tag;
}

function utf16Hex(codePoint: number): string {
  const b = Buffer.from(String.fromCodePoint(codePoint), 'utf16le');
  b.swap16();
  return b.toString('hex').toUpperCase();
}

function toUnicodeCmap(unicodeOf: ReadonlyMap<number, number>): string {
  const entries = [...unicodeOf].sort((a, b) => a[0] - b[0]);
  const blocks: string[] = [];
  for (let i = 0; i < entries.length; i += 100) {
    const chunk = entries.slice(i, i + 100);
    const lines = chunk.map(([gid, cp]) => `<${gid.toString(16).padStart(4, '0')}> <${utf16Hex(cp)}>`);
    blocks.push(`${chunk.length} beginbfchar\n${lines.join('\n')}\nendbfchar`);
  }
  return [
    '/CIDInit /ProcSet findresource begin 12 dict begin begincmap',
    '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def',
    '/CMapName /Adobe-Identity-UCS def /CMapType 2 def',
    '1 begincodespacerange <0000> <FFFF> endcodespacerange',
    ...blocks,
    'endcmap CMapName currentdict /CMap defineresource pop end end',
  ].join('\n');
}
