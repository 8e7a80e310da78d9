import { randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { adler32, deflateRawOnce, zlibOnce } from './deflate-once.js';

describe('deflate-once', () => {
  it('computes Adler-32 like zlib, also past the 5552-byte block and for empty input', () => {
    for (const size of [0, 1, 5551, 5552, 5553, 70_000]) {
      const data = size === 70_000 ? Buffer.alloc(size, 0xff) : randomBytes(size);
      // zlib's own stream ends with the Adler-32 of the input.
      const reference = zlib.deflateSync(data).readUInt32BE(zlib.deflateSync(data).length - 4);
      expect(adler32(data), `size ${size}`).toBe(reference);
    }
  });

  it('writes a zlib stream byte-identical to zlib.deflateSync at the default level', () => {
    const data = Buffer.from('<?xml version="1.0"?><EInvoice>发票</EInvoice>'.repeat(200));
    expect(zlibOnce(data).equals(zlib.deflateSync(data))).toBe(true);
    expect(zlib.inflateSync(zlibOnce(data)).equals(data)).toBe(true);
  });

  it('compresses a buffer once and hands the same output to every caller', () => {
    const data = randomBytes(10_000);
    const first = deflateRawOnce(data);
    expect(deflateRawOnce(data)).toBe(first);
    expect(deflateRawOnce(Buffer.from(data))).not.toBe(first);
    expect(zlib.inflateRawSync(first).equals(data)).toBe(true);
  });
});
