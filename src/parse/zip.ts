/**
 * A defensive ZIP reader for OFD containers (and ZIPs of invoice files later): the central directory is read
 * first and checked against the limits (entry count, declared sizes, compression ratio), then only the entries
 * asked for are inflated, streaming in small chunks and stopped the moment their real output passes the limits,
 * whatever the directory claims. Stored (0) and deflate (8) only; encrypted entries and ZIP64 are refused.
 */
import { Inflate } from 'fflate';
import { ParseFailure } from './errors.js';

export interface ZipLimits {
  /** Most entries in the directory. */
  readonly maxEntries: number;
  /** Most bytes inflated from one entry. */
  readonly maxEntryBytes: number;
  /** Most bytes inflated in total from one archive. */
  readonly maxTotalBytes: number;
  /** Highest inflated/compressed ratio of an entry larger than 1 MiB. */
  readonly maxRatio: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 2000,
  maxEntryBytes: 32 * 1024 * 1024,
  maxTotalBytes: 64 * 1024 * 1024,
  maxRatio: 200,
};

export interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly encrypted: boolean;
  /** Offset of the local file header. */
  readonly offset: number;
}

const CHUNK = 16 * 1024;

/** An opened archive: its entry names and a reader for single entries that enforces the limits. */
export class ZipArchive {
  private inflated = 0;
  readonly entries: ReadonlyMap<string, ZipEntry>;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly limits: ZipLimits = DEFAULT_ZIP_LIMITS,
  ) {
    this.entries = readDirectory(bytes, limits);
  }

  /** Entry names, normalised (no leading slash, forward slashes). */
  names(): string[] {
    return [...this.entries.keys()];
  }

  has(name: string): boolean {
    return this.entries.has(normName(name));
  }

  /** The inflated bytes of one entry, or null when absent. Throws ZIP_LIMIT / CORRUPT / ENCRYPTED failures. */
  read(name: string): Uint8Array | null {
    const entry = this.entries.get(normName(name));
    if (!entry) return null;
    if (entry.encrypted) throw new ParseFailure('ENCRYPTED', `压缩包内的文件 ${entry.name} 已加密，无法读取`);
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    if (entry.offset + 30 > this.bytes.length || view.getUint32(entry.offset, true) !== 0x04034b50)
      throw new ParseFailure('CORRUPT', '压缩包已损坏（本地文件头缺失）');
    const start = entry.offset + 30 + view.getUint16(entry.offset + 26, true) + view.getUint16(entry.offset + 28, true);
    const end = start + entry.compressedSize;
    if (end > this.bytes.length) throw new ParseFailure('CORRUPT', '压缩包已截断或损坏');
    const data = this.bytes.subarray(start, end);
    const cap = Math.min(this.limits.maxEntryBytes, this.limits.maxTotalBytes - this.inflated);
    let out: Uint8Array;
    if (entry.method === 0) {
      if (data.length > cap) throw new ParseFailure('ZIP_LIMIT', '压缩包解压后超过大小上限');
      out = data.slice();
    } else if (entry.method === 8) {
      out = inflateCapped(data, cap, entry.name);
    } else {
      throw new ParseFailure('UNSUPPORTED_TYPE', `压缩包使用了不支持的压缩方法（${entry.method}）`);
    }
    if (data.length > 0 && out.length > 1024 * 1024 && out.length / data.length > this.limits.maxRatio)
      throw new ParseFailure('ZIP_LIMIT', '压缩包压缩比异常（疑似压缩炸弹），不予解析');
    this.inflated += out.length;
    return out;
  }
}

function inflateCapped(data: Uint8Array, cap: number, name: string): Uint8Array {
  const chunks: Uint8Array[] = [];
  let size = 0;
  let done = false;
  const inflate = new Inflate((chunk, final) => {
    size += chunk.length;
    if (size > cap) throw new ParseFailure('ZIP_LIMIT', `压缩包内的文件 ${name} 解压后超过大小上限（疑似压缩炸弹）`);
    chunks.push(chunk);
    if (final) done = true;
  });
  try {
    for (let i = 0; i < data.length; i += CHUNK) {
      inflate.push(data.subarray(i, Math.min(data.length, i + CHUNK)), i + CHUNK >= data.length);
    }
    if (data.length === 0) inflate.push(new Uint8Array(0), true);
  } catch (err) {
    if (err instanceof ParseFailure) throw err;
    throw new ParseFailure('CORRUPT', `压缩包内的文件 ${name} 已损坏，无法解压`);
  }
  if (!done) throw new ParseFailure('CORRUPT', `压缩包内的文件 ${name} 已截断`);
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function normName(name: string): string {
  return name.replace(/\\/g, '/').replace(/^\/+/, '');
}

/** True when the bytes start like a ZIP archive. */
export function looksLikeZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5);
}

function readDirectory(bytes: Uint8Array, limits: ZipLimits): Map<string, ZipEntry> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // End of central directory: 22 bytes + a comment of up to 65535 bytes, searched backwards.
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ParseFailure('CORRUPT', '压缩包已截断或损坏（找不到目录）');
  const count = view.getUint16(eocd + 10, true);
  const dirSize = view.getUint32(eocd + 12, true);
  const dirOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || dirOffset === 0xffffffff) throw new ParseFailure('TOO_LARGE', '不支持 ZIP64 大文件压缩包');
  if (count > limits.maxEntries)
    throw new ParseFailure('ZIP_LIMIT', `压缩包内文件过多（${count} 个，上限 ${limits.maxEntries}）`);
  if (dirOffset + dirSize > bytes.length) throw new ParseFailure('CORRUPT', '压缩包已截断或损坏（目录越界）');
  const entries = new Map<string, ZipEntry>();
  let p = dirOffset;
  let declaredTotal = 0;
  const utf8 = new TextDecoder('utf-8');
  const gbk = new TextDecoder('gb18030');
  for (let k = 0; k < count; k++) {
    if (p + 46 > bytes.length || view.getUint32(p, true) !== 0x02014b50)
      throw new ParseFailure('CORRUPT', '压缩包目录已损坏');
    const flags = view.getUint16(p + 8, true);
    const method = view.getUint16(p + 10, true);
    const compressedSize = view.getUint32(p + 20, true);
    const size = view.getUint32(p + 24, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    const offset = view.getUint32(p + 42, true);
    const rawName = bytes.subarray(p + 46, p + 46 + nameLen);
    const name = normName((flags & 0x800 ? utf8 : isUtf8(rawName) ? utf8 : gbk).decode(rawName));
    p += 46 + nameLen + extraLen + commentLen;
    if (name.endsWith('/')) continue;
    if (name.split('/').includes('..')) throw new ParseFailure('CORRUPT', '压缩包内含非法路径');
    declaredTotal += size;
    if (size > limits.maxEntryBytes || declaredTotal > limits.maxTotalBytes)
      throw new ParseFailure('ZIP_LIMIT', '压缩包解压后超过大小上限（疑似压缩炸弹）');
    if (size > 1024 * 1024 && compressedSize > 0 && size / compressedSize > limits.maxRatio)
      throw new ParseFailure('ZIP_LIMIT', '压缩包压缩比异常（疑似压缩炸弹），不予解析');
    entries.set(name, { name, method, compressedSize, size, encrypted: (flags & 1) === 1, offset });
  }
  return entries;
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}
