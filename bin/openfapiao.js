#!/usr/bin/env node
// OpenFapiao command line. Runs the compiled build of the current sources when there is one, else the TypeScript
// sources through tsx (load-source.js says how and why).
import { loadSource } from './load-source.js';

const { runCli } = await loadSource(new URL('../src/cli.ts', import.meta.url));
await runCli(process.argv);
