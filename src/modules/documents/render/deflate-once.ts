import zlib from 'node:zlib';

/**
 * Raw DEFLATE, computed once per buffer. The PDF and the OFD of an invoice embed the same font subset and the same
 * XML; compressing the font is the largest single cost of rendering (~0.6 ms for ~34 KB), so the second container
 * reuses the first one's deflate output. Keyed by buffer identity: the caller must not change the bytes afterwards.
 */
const deflated = new WeakMap<Uint8Array, Buffer>();

export function deflateRawOnce(data: Uint8Array): Buffer {
  let out = deflated.get(data);
  if (!out) {
    out = zlib.deflateRawSync(data, { level: 6 });
    deflated.set(data, out);
  }
  return out;
}

/** A zlib stream (RFC 1950: header, raw deflate, Adler-32 of the data), as PDF's FlateDecode expects. */
export function zlibOnce(data: Uint8Array): Buffer {
  const raw = deflateRawOnce(data);
  const out = Buffer.allocUnsafe(raw.length + 6);
  // CMF 0x78 (deflate, 32 KB window), FLG 0x9C (default level, check bits: 0x789C % 31 === 0).
  out[0] = 0x78;
  out[1] = 0x9c;
  raw.copy(out, 2);
  out.writeUInt32BE(adler32(data), raw.length + 2);
  return out;
}

/** Adler-32 (RFC 1950 §8.2), summing in blocks of 5552 bytes so the sums never overflow before the modulo. */
export function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  const n = data.length;
  for (let i = 0; i < n; ) {
    const end = Math.min(i + 5552, n);
    for (; i < end; i++) {
      a += data[i] as number;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}
