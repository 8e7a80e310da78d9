/**
 * A parsed TrueType (glyf) font, read once per process and kept: table directory, cmap (formats 4 and 12),
 * advance widths and glyph byte ranges. Everything a document needs is looked up here in O(1), so rendering never
 * parses the 10 MB CJK font again (the naive pdfkit path re-parses and re-subsets it per document).
 */

/** One table's bytes inside the font file. */
export interface TtfTable {
  readonly offset: number;
  readonly length: number;
}

/** What the renderers need from a TrueType font. */
export interface TtfFont {
  readonly bytes: Buffer;
  readonly tables: ReadonlyMap<string, TtfTable>;
  readonly unitsPerEm: number;
  readonly numGlyphs: number;
  readonly ascender: number;
  readonly descender: number;
  readonly capHeight: number;
  readonly bbox: readonly [number, number, number, number];
  /** Glyph id of a code point; 0 (.notdef) when the font lacks it. */
  glyphOf(codePoint: number): number;
  /** Advance width in font units. */
  advanceOf(glyphId: number): number;
  /** Left side bearing in font units. */
  lsbOf(glyphId: number): number;
  /** The glyph's bytes in `glyf` (empty for blank glyphs such as space). */
  glyphBytes(glyphId: number): Buffer;
}

/** Parses a TrueType font (throws on CFF/OTTO or a missing required table). */
export function parseTtf(bytes: Buffer): TtfFont {
  const tables = readTableDirectory(bytes);
  const table = (tag: string): TtfTable => {
    const t = tables.get(tag);
    if (!t) throw new Error(`font has no ${tag} table`);
    return t;
  };
  const head = table('head').offset;
  const hhea = table('hhea').offset;
  const numGlyphs = bytes.readUInt16BE(table('maxp').offset + 4);
  const numberOfHMetrics = bytes.readUInt16BE(hhea + 34);
  const longLoca = bytes.readInt16BE(head + 50) === 1;
  const loca = table('loca').offset;
  const glyf = table('glyf').offset;
  const hmtx = table('hmtx').offset;
  const os2 = tables.get('OS/2');
  const cmap = readCmap(bytes, table('cmap').offset);
  const locaAt = (i: number) => (longLoca ? bytes.readUInt32BE(loca + i * 4) : bytes.readUInt16BE(loca + i * 2) * 2);
  const lastAdvance = bytes.readUInt16BE(hmtx + (numberOfHMetrics - 1) * 4);
  return {
    bytes,
    tables,
    unitsPerEm: bytes.readUInt16BE(head + 18),
    numGlyphs,
    ascender: bytes.readInt16BE(hhea + 4),
    descender: bytes.readInt16BE(hhea + 6),
    capHeight: os2 && os2.length >= 90 ? bytes.readInt16BE(os2.offset + 88) : bytes.readInt16BE(hhea + 4),
    bbox: [
      bytes.readInt16BE(head + 36),
      bytes.readInt16BE(head + 38),
      bytes.readInt16BE(head + 40),
      bytes.readInt16BE(head + 42),
    ],
    glyphOf: (cp) => cmap.get(cp) ?? 0,
    advanceOf: (gid) => (gid < numberOfHMetrics ? bytes.readUInt16BE(hmtx + gid * 4) : lastAdvance),
    lsbOf: (gid) =>
      gid < numberOfHMetrics
        ? bytes.readInt16BE(hmtx + gid * 4 + 2)
        : bytes.readInt16BE(hmtx + numberOfHMetrics * 4 + (gid - numberOfHMetrics) * 2),
    glyphBytes: (gid) => bytes.subarray(glyf + locaAt(gid), glyf + locaAt(gid + 1)),
  };
}

function readTableDirectory(bytes: Buffer): Map<string, TtfTable> {
  const version = bytes.readUInt32BE(0);
  if (version !== 0x00010000 && version !== 0x74727565) throw new Error('not a TrueType (glyf) font');
  const count = bytes.readUInt16BE(4);
  const tables = new Map<string, TtfTable>();
  for (let i = 0; i < count; i++) {
    const at = 12 + i * 16;
    tables.set(bytes.toString('latin1', at, at + 4), {
      offset: bytes.readUInt32BE(at + 8),
      length: bytes.readUInt32BE(at + 12),
    });
  }
  return tables;
}

/** Reads the best Unicode subtable: format 12 (full Unicode) when present, else format 4 (BMP). */
function readCmap(bytes: Buffer, cmap: number): Map<number, number> {
  const count = bytes.readUInt16BE(cmap + 2);
  let format4 = -1;
  for (let i = 0; i < count; i++) {
    const rec = cmap + 4 + i * 8;
    const platform = bytes.readUInt16BE(rec);
    const encoding = bytes.readUInt16BE(rec + 2);
    const sub = cmap + bytes.readUInt32BE(rec + 4);
    const format = bytes.readUInt16BE(sub);
    if (format === 12 && (platform === 3 || platform === 0)) return readFormat12(bytes, sub);
    if (format === 4 && ((platform === 3 && encoding === 1) || platform === 0)) format4 = sub;
  }
  if (format4 < 0) throw new Error('font has no Unicode cmap');
  return readFormat4(bytes, format4);
}

function readFormat12(bytes: Buffer, sub: number): Map<number, number> {
  const map = new Map<number, number>();
  const groups = bytes.readUInt32BE(sub + 12);
  for (let g = 0; g < groups; g++) {
    const at = sub + 16 + g * 12;
    const start = bytes.readUInt32BE(at);
    const end = bytes.readUInt32BE(at + 4);
    const gid = bytes.readUInt32BE(at + 8);
    for (let cp = start; cp <= end; cp++) map.set(cp, gid + cp - start);
  }
  return map;
}

function readFormat4(bytes: Buffer, sub: number): Map<number, number> {
  const map = new Map<number, number>();
  const segX2 = bytes.readUInt16BE(sub + 6);
  const ends = sub + 14;
  const starts = ends + segX2 + 2;
  const deltas = starts + segX2;
  const rangeOffsets = deltas + segX2;
  for (let s = 0; s < segX2; s += 2) {
    const end = bytes.readUInt16BE(ends + s);
    const start = bytes.readUInt16BE(starts + s);
    const delta = bytes.readInt16BE(deltas + s);
    const ro = bytes.readUInt16BE(rangeOffsets + s);
    for (let cp = start; cp <= end && cp !== 0xffff; cp++) {
      let gid: number;
      if (ro === 0) gid = (cp + delta) & 0xffff;
      else {
        const raw = bytes.readUInt16BE(rangeOffsets + s + ro + (cp - start) * 2);
        gid = raw === 0 ? 0 : (raw + delta) & 0xffff;
      }
      if (gid !== 0) map.set(cp, gid);
    }
  }
  return map;
}
