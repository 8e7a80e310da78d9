import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';

/**
 * DATA_DIR holds buyer details (the SQLite database), invoice files (blobs), keys and the demo credentials: only the
 * server's own user may read it. Directories are created 0700 and files 0600 whatever the process umask.
 */
export const DATA_DIR_MODE = 0o700;
export const DATA_FILE_MODE = 0o600;

/** The umask the server and the CLI run with: files SQLite creates later (`-wal`, `-shm`, journals) stay private. */
const PROCESS_UMASK = 0o077;

/** Sets {@link PROCESS_UMASK} for this process (main thread only; worker threads inherit it). */
export function restrictProcessUmask(): void {
  process.umask(PROCESS_UMASK);
}

/** What {@link prepareDataDir} changed. */
export interface DataDirTightening {
  /** Entries whose mode was changed, relative to the data directory ('.' is the directory itself), with old modes. */
  changed: { path: string; from: string; to: string }[];
}

const octal = (mode: number) => (mode & 0o777).toString(8).padStart(3, '0');

/**
 * Makes DATA_DIR private at start: creates it 0700, or, when it exists and group or others may enter it, sets it to
 * 0700 and every directory below it to 0700 and every file to 0600 (a one-off walk: once the directory itself is
 * private nothing below it can be reached by another user). The entries directly in a private DATA_DIR (the database,
 * keys, credentials, `blobs/`) are checked at every start as well: a restored backup may bring them in 0644.
 * Symbolic links are left alone. Logs one warning listing what was changed; returns the changes.
 */
export function prepareDataDir(dataDir: string, logger: Pick<Logger, 'warn'>): DataDirTightening {
  const changed: DataDirTightening['changed'] = [];
  fs.mkdirSync(dataDir, { recursive: true, mode: DATA_DIR_MODE });
  const tighten = (file: string, stat: fs.Stats) => {
    const want = stat.isDirectory() ? DATA_DIR_MODE : DATA_FILE_MODE;
    if ((stat.mode & 0o777 & ~want) === 0) return;
    fs.chmodSync(file, want);
    changed.push({ path: path.relative(dataDir, file) || '.', from: octal(stat.mode), to: octal(want) });
  };
  const walk = (dir: string, deep: boolean) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() && !entry.isFile()) continue;
      const file = path.join(dir, entry.name);
      const stat = fs.lstatSync(file, { throwIfNoEntry: false });
      if (!stat) continue;
      tighten(file, stat);
      if (deep && stat.isDirectory()) walk(file, true);
    }
  };
  const root = fs.statSync(dataDir);
  const open = (root.mode & 0o077) !== 0;
  tighten(dataDir, root);
  walk(dataDir, open);
  if (changed.length > 0) {
    const shown = changed.slice(0, 10).map((c) => `${c.path} ${c.from}→${c.to}`);
    logger.warn(
      {
        dataDir,
        changed: changed.length,
        examples: shown,
      },
      `DATA_DIR was readable by other local users: set ${changed.length} entries to 0700 (directories) / 0600 (files)`,
    );
  }
  return { changed };
}
