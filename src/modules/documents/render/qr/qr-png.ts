import zlib from 'node:zlib';
import type { QrMatrix } from './qr-matrix.js';

/** Pixels per QR module in the PNG. */
const SCALE = 4;

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(Buffer.concat([head.subarray(4), data])) >>> 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * Encodes a QR matrix as a 1-bit greyscale PNG (the OFD page shows the QR as an image, like real OFD invoices).
 * Hand-written because the matrix is already there: ~0.1 ms instead of ~9 ms through `QRCode.toBuffer`.
 */
export function qrToPng(qr: QrMatrix): Buffer {
  const size = qr.count * SCALE;
  const rowBytes = Math.ceil(size / 8);
  const raw = Buffer.alloc((rowBytes + 1) * size, 0);
  for (let y = 0; y < size; y++) {
    const row = y * (rowBytes + 1);
    for (let x = 0; x < size; x++) {
      const dark = qr.modules[Math.floor(y / SCALE) * qr.count + Math.floor(x / SCALE)] === 1;
      if (!dark) raw[row + 1 + (x >> 3)] = (raw[row + 1 + (x >> 3)] ?? 0) | (0x80 >> (x & 7));
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
