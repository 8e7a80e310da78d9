import fs from 'node:fs';
import path from 'node:path';
import { DATA_DIR_MODE, DATA_FILE_MODE } from '../../../platform/data-dir.js';
import { type BlobStore, isSha256, sha256Hex } from './blob-store.js';

/**
 * Blobs as files under `<DATA_DIR>/blobs/ab/<sha256>`. Written to a temporary name and renamed, so a reader never
 * sees half a file and concurrent writers of the same content both succeed.
 *
 * One level of 256 directories, as git does for loose objects: creating a file or a directory is the dearest part
 * of storing an invoice's files (measured ~0.65 ms of kernel CPU each on the ext4 of our 2-core VM), and the
 * 65,536 two-level directories of the first layout meant a new directory for nearly every file until ~10⁶ files
 * were stored. ext4 directories are hashed, so ~10⁵ files per directory stay fast. Files of that first layout
 * (`ab/cd/<sha256>`) are still read.
 */
/** Blob files (and their temporary names) are 0600, their directories 0700: invoices carry buyer details. */
const WRITE_OPTIONS = { mode: DATA_FILE_MODE } as const;
const MKDIR_OPTIONS = { recursive: true, mode: DATA_DIR_MODE } as const;

export function createFsBlobStore(root: string): BlobStore {
  return {
    kind: 'fs',
    directory: root,
    async put(bytes) {
      const sha256 = sha256Hex(bytes);
      const file = blobFile(root, sha256);
      if (await sameSizeFileExists(file, bytes.length)) return { sha256, size: bytes.length };
      const dir = path.dirname(file);
      const temp = tempName(file);
      try {
        await fs.promises.writeFile(temp, bytes, WRITE_OPTIONS).catch(async (err: NodeJS.ErrnoException) => {
          if (err.code !== 'ENOENT') throw err;
          await fs.promises.mkdir(dir, MKDIR_OPTIONS);
          await fs.promises.writeFile(temp, bytes, WRITE_OPTIONS);
        });
        await fs.promises.rename(temp, file);
      } catch (err) {
        await fs.promises.rm(temp, { force: true });
        throw err;
      }
      return { sha256, size: bytes.length };
    },
    async get(sha256) {
      if (!isSha256(sha256)) return null;
      return (await readIfExists(blobFile(root, sha256))) ?? readIfExists(legacyBlobFile(root, sha256));
    },
    async remove(sha256) {
      if (!isSha256(sha256)) return;
      await fs.promises.rm(blobFile(root, sha256), { force: true });
      await fs.promises.rm(legacyBlobFile(root, sha256), { force: true });
    },
  };
}

/**
 * The same store's write for code that is off the event loop already (the render worker threads): synchronous, so a
 * rendered file goes to disk in one go instead of five thread-pool round trips through a busy main loop.
 */
export function putBlobFileSync(root: string, bytes: Buffer): { sha256: string; size: number } {
  const sha256 = sha256Hex(bytes);
  const file = blobFile(root, sha256);
  const existing = fs.statSync(file, { throwIfNoEntry: false });
  if (existing?.size === bytes.length) return { sha256, size: bytes.length };
  const temp = tempName(file);
  try {
    try {
      fs.writeFileSync(temp, bytes, WRITE_OPTIONS);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      fs.mkdirSync(path.dirname(file), MKDIR_OPTIONS);
      fs.writeFileSync(temp, bytes, WRITE_OPTIONS);
    }
    fs.renameSync(temp, file);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw err;
  }
  return { sha256, size: bytes.length };
}

function blobFile(root: string, sha256: string): string {
  return path.join(root, sha256.slice(0, 2), sha256);
}

/** Where the first layout (two directory levels) kept a blob. */
function legacyBlobFile(root: string, sha256: string): string {
  return path.join(root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
}

async function readIfExists(file: string): Promise<Buffer | null> {
  return fs.promises.readFile(file).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
}

/** Unique per writer (thread ids differ, pids differ between processes). */
function tempName(file: string): string {
  return `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
}

async function sameSizeFileExists(file: string, size: number): Promise<boolean> {
  return fs.promises.stat(file).then(
    (s) => s.size === size,
    () => false,
  );
}
