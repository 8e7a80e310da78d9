/**
 * A minimal PDF 1.7 file writer: numbered objects, Flate streams, cross-reference table and trailer. Just what the
 * invoice needs, so a document is a few string joins and one deflate per stream instead of a general PDF library.
 */
import { createHash } from 'node:crypto';
import { zlibOnce } from '../deflate-once.js';

/** A reference to an object, written as `n 0 R`. */
export class PdfRef {
  constructor(readonly id: number) {}
  toString(): string {
    return `${this.id} 0 R`;
  }
}

/** Formats a number for PDF operators: at most 3 decimals, no trailing zeros. */
export const num = (n: number): string => {
  const s = n.toFixed(3);
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
};

/** A text string as UTF-16BE hex with BOM (safe for any characters). */
export const textString = (s: string): string => {
  const b = Buffer.from(s, 'utf16le');
  b.swap16();
  return `<FEFF${b.toString('hex').toUpperCase()}>`;
};

export class PdfWriter {
  private readonly bodies: Array<Buffer | undefined> = [];

  /** Reserves an object number (to reference it before writing it). */
  ref(): PdfRef {
    this.bodies.push(undefined);
    return new PdfRef(this.bodies.length);
  }

  /** Writes a dictionary (or any PDF value) as the object `ref`. */
  set(ref: PdfRef, value: string): PdfRef {
    this.bodies[ref.id - 1] = Buffer.from(value, 'latin1');
    return ref;
  }

  add(value: string): PdfRef {
    return this.set(this.ref(), value);
  }

  /** Writes a Flate-compressed stream; `dict` holds extra entries (without Length/Filter). */
  stream(data: Buffer | string, dict = '', ref = this.ref()): PdfRef {
    const raw = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    const packed = zlibOnce(raw);
    const head = Buffer.from(`<< ${dict} /Filter /FlateDecode /Length ${packed.length} >>\nstream\n`, 'latin1');
    this.bodies[ref.id - 1] = Buffer.concat([head, packed, Buffer.from('\nendstream', 'latin1')]);
    return ref;
  }

  /** The complete file. `root` is the catalog; the file id is derived from `idSeed` (deterministic output). */
  finish(root: PdfRef, info: PdfRef, idSeed: string): Buffer {
    const chunks: Buffer[] = [Buffer.from('%PDF-1.7\n%\xE2\xE3\xCF\xD3\n', 'latin1')];
    let offset = chunks[0]?.length ?? 0;
    const offsets: number[] = [];
    this.bodies.forEach((body, i) => {
      if (!body) throw new Error(`PDF object ${i + 1} was reserved but never written`);
      const head = Buffer.from(`${i + 1} 0 obj\n`, 'latin1');
      const tail = Buffer.from('\nendobj\n', 'latin1');
      offsets.push(offset);
      chunks.push(head, body, tail);
      offset += head.length + body.length + tail.length;
    });
    const xref = [`xref\n0 ${offsets.length + 1}\n0000000000 65535 f \n`];
    for (const o of offsets) xref.push(`${String(o).padStart(10, '0')} 00000 n \n`);
    const id = createHash('md5').update(idSeed).digest('hex').toUpperCase();
    xref.push(
      `trailer\n<< /Size ${offsets.length + 1} /Root ${root} /Info ${info} /ID [<${id}> <${id}>] >>\n`,
      `startxref\n${offset}\n%%EOF\n`,
    );
    chunks.push(Buffer.from(xref.join(''), 'latin1'));
    return Buffer.concat(chunks);
  }
}
