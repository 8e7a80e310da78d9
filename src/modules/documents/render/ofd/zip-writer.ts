import zlib from 'node:zlib';
import { deflateRawOnce } from '../deflate-once.js';

/**
 * A minimal ZIP writer (PKWARE APPNOTE 6.3: local headers, central directory, end record; deflate or stored; UTF-8
 * names) on Node's native zlib. An OFD is a ZIP; packing it natively is several times faster than a pure-JS
 * deflate, which matters because every issued invoice gets one. Deterministic for a given `mtime`.
 */
export function zipFiles(files: Readonly<Record<string, Uint8Array>>, mtime: Date): Buffer {
  const { time, date } = dosDateTime(mtime);
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of Object.entries(files)) {
    const nameBytes = Buffer.from(name, 'utf8');
    const deflated = deflateRawOnce(data);
    const stored = deflated.length >= data.length;
    const body = stored ? Buffer.from(data) : deflated;
    const crc = zlib.crc32(data);
    const common = { method: stored ? 0 : 8, time, date, crc, compressed: body.length, size: data.length, nameBytes };
    const local = header(0x04034b50, common, null);
    locals.push(local, nameBytes, body);
    centrals.push(header(0x02014b50, common, offset), nameBytes);
    offset += local.length + nameBytes.length + body.length;
  }
  const central = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(centrals.length / 2, 8);
  end.writeUInt16LE(centrals.length / 2, 10);
  end.writeUInt32LE(central.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, central, end]);
}

interface EntryFacts {
  method: number;
  time: number;
  date: number;
  crc: number;
  compressed: number;
  size: number;
  nameBytes: Buffer;
}

/** A local file header (`offset` null) or a central directory header (with the local header's offset). */
function header(signature: number, e: EntryFacts, offset: number | null): Buffer {
  const central = offset !== null;
  const b = Buffer.alloc(central ? 46 : 30);
  let at = 0;
  const u32 = (v: number) => {
    at = b.writeUInt32LE(v >>> 0, at);
  };
  const u16 = (v: number) => {
    at = b.writeUInt16LE(v, at);
  };
  u32(signature);
  if (central) u16(20); // version made by
  u16(20); // version needed
  u16(0x0800); // flags: UTF-8 file names
  u16(e.method);
  u16(e.time);
  u16(e.date);
  u32(e.crc);
  u32(e.compressed);
  u32(e.size);
  u16(e.nameBytes.length);
  u16(0); // extra length
  if (central) {
    u16(0); // comment length
    u16(0); // disk number
    u16(0); // internal attributes
    u32(0); // external attributes
    u32(offset);
  }
  return b;
}

/** MS-DOS date and time fields (local fields taken from the UTC date, as deterministic output wants). */
function dosDateTime(d: Date): { time: number; date: number } {
  const year = Math.max(1980, d.getUTCFullYear());
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | Math.floor(d.getUTCSeconds() / 2),
    date: ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  };
}
