#!/usr/bin/env node
// Compiles src/ for faster process start-up (bin/load-source.js): `npm run build:server`, and run by `npm install`
// (prepare), `npm start` and the test suite. Nothing to do when the build of the current sources exists. A build
// that cannot be made (esbuild missing, a read-only install) is not an error: the CLI then runs the sources through
// tsx, as before.
import { buildServer } from '../bin/load-source.js';

try {
  const started = performance.now();
  const { dir, built } = await buildServer();
  if (built) console.log(`openfapiao: compiled src/ into ${dir} in ${Math.round(performance.now() - started)} ms`);
} catch (err) {
  console.warn(`openfapiao: could not compile src/ (the CLI runs it through tsx): ${err?.message ?? err}`);
}
