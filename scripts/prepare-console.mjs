#!/usr/bin/env node
// `npm install` / `npm ci` run this (the `prepare` script): it builds the console into web/console/dist so that
// `npm start` serves it at /console/. Without the build tools (an install with --omit=dev) it says so and leaves
// the server to answer /console/ with a "not built" page; build elsewhere and copy web/console/dist instead.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
let vite;
try {
  // vite's package.json `exports` hides bin/; its package.json is exported, and bin/vite.js sits next to it.
  vite = path.join(path.dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
} catch {
  console.warn('openfapiao: vite is not installed (devDependencies omitted): the console is not built.');
  process.exit(0);
}
if (!existsSync(new URL('../web/console/vite.config.ts', import.meta.url))) process.exit(0);
const result = spawnSync(
  process.execPath,
  [vite, 'build', '--config', 'web/console/vite.config.ts', '--logLevel', 'warn'],
  {
    cwd: new URL('..', import.meta.url),
    stdio: 'inherit',
  },
);
process.exit(result.status ?? 1);
