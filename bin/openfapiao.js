#!/usr/bin/env node
// OpenFapiao command line. Runs the TypeScript sources directly through tsx (no build step).
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli.ts');
await runCli(process.argv);
