/**
 * A per-document glyph subset of a parsed {@link TtfFont}. Text is encoded while the document is written
 * (`encode` returns new, dense glyph ids = PDF CIDs), then `build` copies only the used glyphs' bytes into a small
 * TrueType file (head, hhea, maxp, hmtx, loca, glyf, cmap, post, name, OS/2). Copying byte ranges from the cached
 * font is what makes subsetting cost well under a millisecond instead of re-parsing the whole font.
 */
import type { TtfFont } from './ttf-font.js';

const COPIED_TABLES = ['OS/2', 'name', 'prep', 'cvt ', 'fpgm', 'gasp'] as const;

/** Collects the glyphs one document uses. */
export class GlyphSubset {
  /** Original glyph id of each new glyph id. */
  readonly glyphs: number[] = [0];
  private readonly newIds = new Map<number, number>([[0, 0]]);
  /** Code point → new glyph id, for the subset's cmap, PDF ToUnicode and OFD text. */
  readonly unicodeOf = new Map<number, number>();

  constructor(readonly font: TtfFont) {}

  /** New glyph ids for every code point of `text`. */
  encode(text: string): number[] {
    const out: number[] = [];
    for (const ch of text) {
      const cp = ch.codePointAt(0) ?? 0;
      const id = this.idOf(this.font.glyphOf(cp));
      if (id !== 0 && !this.unicodeOf.has(id)) this.unicodeOf.set(id, cp);
      out.push(id);
    }
    return out;
  }

  /** Advance width of a new glyph id, in 1/1000 em. */
  widthOf(newId: number): number {
    return Math.round((this.font.advanceOf(this.glyphs[newId] ?? 0) * 1000) / this.font.unitsPerEm);
  }

  private idOf(gid: number): number {
    let id = this.newIds.get(gid);
    if (id === undefined) {
      id = this.glyphs.length;
      this.glyphs.push(gid);
      this.newIds.set(gid, id);
    }
    return id;
  }

  private built: { glyphCount: number; bytes: Buffer } | null = null;

  /**
   * The subset font file. Built again only after new glyphs were added: callers sharing a subset get the very same
   * Buffer, which lets the PDF and OFD writers share its compression (deflate-once.ts). Do not modify it.
   */
  build(): Buffer {
    if (this.built?.glyphCount !== this.glyphs.length) {
      // Counted after building: building adds the components of composite glyphs.
      const bytes = this.buildFont();
      this.built = { glyphCount: this.glyphs.length, bytes };
    }
    return this.built.bytes;
  }

  private buildFont(): Buffer {
    const glyf = this.buildGlyf();
    const n = this.glyphs.length;
    const { font } = this;
    const src = (tag: string) => {
      const t = font.tables.get(tag);
      return t ? Buffer.from(font.bytes.subarray(t.offset, t.offset + t.length)) : undefined;
    };
    const head = src('head') as Buffer;
    head.writeUInt32BE(0, 8);
    head.writeInt16BE(1, 50);
    const hhea = src('hhea') as Buffer;
    hhea.writeUInt16BE(n, 34);
    const maxp = src('maxp') as Buffer;
    maxp.writeUInt16BE(n, 4);
    const hmtx = Buffer.alloc(n * 4);
    for (let i = 0; i < n; i++) {
      const gid = this.glyphs[i] ?? 0;
      hmtx.writeUInt16BE(font.advanceOf(gid), i * 4);
      hmtx.writeInt16BE(font.lsbOf(gid), i * 4 + 2);
    }
    const post = Buffer.alloc(32);
    post.writeUInt32BE(0x00030000, 0);
    const tables = new Map<string, Buffer>([
      ['cmap', buildCmap(this.unicodeOf)],
      ['glyf', glyf.data],
      ['head', head],
      ['hhea', hhea],
      ['hmtx', hmtx],
      ['loca', glyf.loca],
      ['maxp', maxp],
      ['post', post],
    ]);
    for (const tag of COPIED_TABLES) {
      const bytes = src(tag);
      if (bytes) tables.set(tag, bytes);
    }
    return writeFont(tables);
  }

  private buildGlyf(): { data: Buffer; loca: Buffer } {
    const parts: Buffer[] = [];
    const offsets: number[] = [];
    let size = 0;
    // The list grows while composite glyphs pull in their components.
    for (let i = 0; i < this.glyphs.length; i++) {
      offsets.push(size);
      let bytes = this.font.glyphBytes(this.glyphs[i] ?? 0);
      if (bytes.length >= 10 && bytes.readInt16BE(0) < 0) bytes = this.remapComposite(bytes);
      const padded = (bytes.length + 3) & ~3;
      parts.push(bytes);
      if (padded > bytes.length) parts.push(Buffer.alloc(padded - bytes.length));
      size += padded;
    }
    offsets.push(size);
    const loca = Buffer.alloc(offsets.length * 4);
    offsets.forEach((o, i) => {
      loca.writeUInt32BE(o, i * 4);
    });
    return { data: Buffer.concat(parts, size), loca };
  }

  /** Copies a composite glyph, rewriting each component's glyph id to its new id. */
  private remapComposite(original: Buffer): Buffer {
    const bytes = Buffer.from(original);
    let at = 10;
    for (;;) {
      const flags = bytes.readUInt16BE(at);
      bytes.writeUInt16BE(this.idOf(bytes.readUInt16BE(at + 2)), at + 2);
      at += 4 + (flags & 0x0001 ? 4 : 2);
      if (flags & 0x0008) at += 2;
      else if (flags & 0x0040) at += 4;
      else if (flags & 0x0080) at += 8;
      if (!(flags & 0x0020)) return bytes;
    }
  }
}

/** A format-4 cmap (BMP) with one segment per code point run. */
function buildCmap(unicodeOf: ReadonlyMap<number, number>): Buffer {
  const pairs = [...unicodeOf].map(([gid, cp]) => [cp, gid] as const).filter(([cp]) => cp < 0xffff);
  pairs.sort((a, b) => a[0] - b[0]);
  const segments: Array<{ start: number; end: number; delta: number }> = [];
  for (const [cp, gid] of pairs) {
    const last = segments[segments.length - 1];
    if (last && cp === last.end + 1 && ((gid - cp) & 0xffff) === last.delta) last.end = cp;
    else segments.push({ start: cp, end: cp, delta: (gid - cp) & 0xffff });
  }
  segments.push({ start: 0xffff, end: 0xffff, delta: 1 });
  const segX2 = segments.length * 2;
  const length = 16 + segX2 * 4;
  const sub = Buffer.alloc(length);
  sub.writeUInt16BE(4, 0);
  sub.writeUInt16BE(length, 2);
  sub.writeUInt16BE(segX2, 6);
  const pow = 2 ** Math.floor(Math.log2(segments.length));
  sub.writeUInt16BE(pow * 2, 8);
  sub.writeUInt16BE(Math.log2(pow), 10);
  sub.writeUInt16BE(segX2 - pow * 2, 12);
  segments.forEach((s, i) => {
    sub.writeUInt16BE(s.end, 14 + i * 2);
    sub.writeUInt16BE(s.start, 16 + segX2 + i * 2);
    sub.writeUInt16BE(s.delta, 16 + segX2 * 2 + i * 2);
  });
  const header = Buffer.alloc(12);
  header.writeUInt16BE(1, 2);
  header.writeUInt16BE(3, 4);
  header.writeUInt16BE(1, 6);
  header.writeUInt32BE(12, 8);
  return Buffer.concat([header, sub]);
}

function checksum(bytes: Buffer): number {
  let sum = 0;
  const padded = bytes.length % 4 === 0 ? bytes : Buffer.concat([bytes, Buffer.alloc(4 - (bytes.length % 4))]);
  for (let i = 0; i < padded.length; i += 4) sum = (sum + padded.readUInt32BE(i)) >>> 0;
  return sum;
}

/** Writes an sfnt file: table directory (sorted tags), 4-byte aligned tables, head.checkSumAdjustment. */
function writeFont(tables: Map<string, Buffer>): Buffer {
  const tags = [...tables.keys()].sort();
  const count = tags.length;
  const pow = 2 ** Math.floor(Math.log2(count));
  const header = Buffer.alloc(12 + count * 16);
  header.writeUInt32BE(0x00010000, 0);
  header.writeUInt16BE(count, 4);
  header.writeUInt16BE(pow * 16, 6);
  header.writeUInt16BE(Math.log2(pow), 8);
  header.writeUInt16BE(count * 16 - pow * 16, 10);
  const body: Buffer[] = [];
  let offset = header.length;
  let headOffset = 0;
  tags.forEach((tag, i) => {
    const data = tables.get(tag) as Buffer;
    const at = 12 + i * 16;
    header.write(tag, at, 4, 'latin1');
    header.writeUInt32BE(checksum(data), at + 4);
    header.writeUInt32BE(offset, at + 8);
    header.writeUInt32BE(data.length, at + 12);
    if (tag === 'head') headOffset = offset;
    const padded = (data.length + 3) & ~3;
    body.push(data, Buffer.alloc(padded - data.length));
    offset += padded;
  });
  const file = Buffer.concat([header, ...body], offset);
  file.writeUInt32BE((0xb1b0afba - checksum(file)) >>> 0, headOffset + 8);
  return file;
}
