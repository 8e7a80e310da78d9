import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onTestFinished } from 'vitest';

/**
 * A fresh temp dir (`<os tmpdir>/<prefix>XXXXXX`) for the running test, removed when the test finishes, passed or
 * failed (`onTestFinished`); call it inside `it`, not in a hook.
 */
export function testDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}
