/**
 * ZIPs of invoice files (a supplier's month of invoices, a download from the tax platform): the entries, each as its
 * own file, read under the ZIP-bomb limits of zip.ts (entry count, inflated sizes counted while inflating, ratio).
 * An OFD is a ZIP too: {@link isOfdContainer} tells it apart (it has `OFD.xml`), and it is one invoice file, not an
 * archive. Nested archives are not opened (listed as skipped). Pure: no I/O.
 */
import { ParseFailure, type ParseFailureCode } from './errors.js';
import { DEFAULT_ZIP_LIMITS, looksLikeZip, ZipArchive, type ZipLimits } from './zip.js';

/** One file of an archive. */
export interface ArchiveFile {
  /** Its path inside the archive (forward slashes). */
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** An entry that was not read, and why. */
export interface ArchiveSkip {
  readonly name: string;
  readonly code: ParseFailureCode;
  readonly message: string;
}

/** What an archive holds: the files read, in directory order, and the entries skipped. */
export interface ExpandedArchive {
  readonly files: readonly ArchiveFile[];
  readonly skipped: readonly ArchiveSkip[];
}

/** True when the bytes are a ZIP whose directory names `OFD.xml` at its root (an OFD document). */
export function isOfdContainer(bytes: Uint8Array, limits: ZipLimits = DEFAULT_ZIP_LIMITS): boolean {
  if (!looksLikeZip(bytes)) return false;
  try {
    return new ZipArchive(bytes, limits).has('OFD.xml');
  } catch {
    return false;
  }
}

/** Housekeeping entries of archivers (macOS resource forks, Windows thumbnails), never invoices. */
function isJunk(name: string): boolean {
  const base = name.split('/').pop() ?? name;
  return name.startsWith('__MACOSX/') || base.startsWith('.') || base === 'Thumbs.db' || base === 'desktop.ini';
}

/**
 * The files of a ZIP archive. Throws ParseFailure (CORRUPT, ZIP_LIMIT, ENCRYPTED …) when the archive itself cannot be
 * read or passes the limits; an encrypted entry or a nested archive is skipped with its reason.
 */
export function expandInvoiceArchive(bytes: Uint8Array, limits: ZipLimits = DEFAULT_ZIP_LIMITS): ExpandedArchive {
  if (!looksLikeZip(bytes)) throw new ParseFailure('CORRUPT', '不是 ZIP 压缩包');
  const archive = new ZipArchive(bytes, limits);
  const files: ArchiveFile[] = [];
  const skipped: ArchiveSkip[] = [];
  for (const name of archive.names()) {
    if (isJunk(name)) continue;
    let entry: Uint8Array | null;
    try {
      entry = archive.read(name);
    } catch (err) {
      // One unreadable entry does not sink its siblings; limits over the whole archive do.
      if (err instanceof ParseFailure && (err.code === 'ENCRYPTED' || err.code === 'UNSUPPORTED_TYPE')) {
        skipped.push({ name, code: err.code, message: err.message });
        continue;
      }
      throw err;
    }
    if (!entry || entry.length === 0) continue;
    if (looksLikeZip(entry) && !isOfdContainer(entry, limits)) {
      skipped.push({ name, code: 'UNSUPPORTED_TYPE', message: `压缩包内嵌套的压缩包 ${name} 不予解压` });
      continue;
    }
    files.push({ name, bytes: entry });
  }
  return { files, skipped };
}
