import fs from 'node:fs/promises';
import path from 'node:path';
import { type BlobStore, isSha256, sha256Hex } from './blob-store.js';

/**
 * Blobs as files under `<DATA_DIR>/blobs/ab/cd/<sha256>`. Written to a temporary name and renamed, so a reader
 * never sees half a file and concurrent writers of the same content both succeed.
 */
export function createFsBlobStore(root: string): BlobStore {
  const fileOf = (sha: string) => path.join(root, sha.slice(0, 2), sha.slice(2, 4), sha);
  const madeDirs = new Set<string>();
  return {
    kind: 'fs',
    async put(bytes) {
      const sha256 = sha256Hex(bytes);
      const file = fileOf(sha256);
      const exists = await fs.stat(file).then(
        (s) => s.size === bytes.length,
        () => false,
      );
      if (!exists) {
        const dir = path.dirname(file);
        if (!madeDirs.has(dir)) {
          await fs.mkdir(dir, { recursive: true });
          madeDirs.add(dir);
        }
        const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
        await fs.writeFile(temp, bytes).catch(async (err: NodeJS.ErrnoException) => {
          if (err.code !== 'ENOENT') throw err;
          // The directory went away since we made it (someone pruned the store): make it again.
          await fs.mkdir(dir, { recursive: true });
          await fs.writeFile(temp, bytes);
        });
        await fs.rename(temp, file);
      }
      return { sha256, size: bytes.length };
    },
    async get(sha256) {
      if (!isSha256(sha256)) return null;
      return fs.readFile(fileOf(sha256)).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return null;
        throw err;
      });
    },
  };
}
