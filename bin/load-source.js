// Loads a module of src/ for the CLI and the worker entries (parse-worker.mjs, render-worker.mjs): from the compiled
// build when one of exactly the current sources exists, else from the TypeScript source through tsx.
//
// Why: on Node 20, tsx's module hooks run on a separate thread, and every module (about 1,600 for `serve`, most of
// them typebox's and kysely's small files) makes a round trip to it: `serve` was ready after about 6.5 s of CPU
// that way, 4.8 s compiled; a parse-pool child after 4.7 s, 1.4 s compiled (2-core machine under load).
//
// The build (`npm run build:server`, also run by `npm install`, `npm start` and the test suite) is esbuild's
// file-by-file transform of src/**/*.ts (tests excepted) into dist/server/<key>/src/, the same layout with .js
// files. `<key>` is a hash of the build recipe and of every compiled source file's path and content, so a build is
// only ever used for the very sources it was made from: after an edit, a checkout or a pull, the key changes and
// the sources run through tsx until the next build. Each compiled file keeps `import.meta.url` (and `dirname`,
// `filename`) of its source file, so paths relative to it (package.json, web/console/dist, the worker entries, files
// of installed packages) resolve as from the source, and carries an inline source map: stack traces name the
// TypeScript sources.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SRC = path.join(ROOT, 'src');
/** Where the builds are, one directory per key. */
export const BUILDS = path.join(ROOT, 'dist', 'server');
/** Changes whenever the options below (or the layout of a build) change, so that older builds are never used. */
const RECIPE = 'esbuild-transform/1 target=node20 format=esm sourcemap=inline import.meta=source';
/** Written last into a finished build. */
const COMPLETE = 'complete';
/** Builds kept besides the new one (a process that started on an older build may still load modules from it). */
const KEEP = 3;
/** A build a process started from within this long is kept, however many newer ones there are. */
const IN_USE_MS = 24 * 3_600_000;

/** The compiled sources: every .ts file under src/ but tests, as paths relative to src/ (sorted, `/`-separated). */
function sourceFiles(src = SRC) {
  return fs
    .readdirSync(src, { recursive: true, encoding: 'utf8' })
    .map((f) => f.split(path.sep).join('/'))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'))
    .sort();
}

/**
 * The key of `sources` (each compiled file's path and bytes): a hash of the recipe, of what else shapes the output
 * (esbuild's version, tsconfig.json) and of each file's path and content.
 */
function keyOf(root, sources) {
  const hash = createHash('sha256').update(RECIPE);
  for (const extra of [esbuildPackageJson(), path.join(root, 'tsconfig.json')]) {
    hash.update('\0').update(extra && fs.existsSync(extra) ? fs.readFileSync(extra) : '');
  }
  for (const { file, bytes } of sources) hash.update(`\0${file}\0`).update(bytes);
  return hash.digest('hex').slice(0, 32);
}

/** esbuild's package.json (its version is part of the key), or null when esbuild is not installed. */
function esbuildPackageJson() {
  try {
    return createRequire(import.meta.url).resolve('esbuild/package.json');
  } catch {
    return null;
  }
}

/** Every compiled source file's path and bytes, each read once (what is hashed is what is compiled). */
function readSources(root) {
  const src = path.join(root, 'src');
  return sourceFiles(src).map((file) => ({ file, bytes: fs.readFileSync(path.join(src, file)) }));
}

/** The key of the current sources (see {@link keyOf}). */
export function sourceKey(root = ROOT) {
  return keyOf(root, readSources(root));
}

/**
 * The directory of the finished build of the current sources (its `src/` mirrors the root's), or null when there is
 * none: the sources have changed since the last build, or nothing was built.
 */
export function currentBuild(root = ROOT) {
  const dir = path.join(root, 'dist', 'server', sourceKey(root));
  if (!fs.existsSync(path.join(dir, COMPLETE))) return null;
  touch(dir);
  return dir;
}

/** Marks a build in use: pruning keeps builds that a process started from lately (see prune). */
function touch(dir) {
  try {
    const now = new Date();
    fs.utimesSync(dir, now, now);
  } catch {
    // A read-only install: the build is still good to run.
  }
}

/**
 * The environment variable through which a process hands its choice (`<pid>:<a build's directory, or source>`) to the
 * worker threads it starts, and to child processes that inherit its environment: they run what it runs, without
 * hashing every source file again. (The parse pool's picture children get an environment of their own and choose
 * afresh.)
 */
export const CHOSEN_BUILD_ENV = 'OPENFAPIAO_SRC_BUILD';

/** The value of {@link CHOSEN_BUILD_ENV} by which process `pid` hands down `build` (null: the sources). */
export function chosenBuildValue(build, pid = process.pid) {
  return `${pid}:${build ?? 'source'}`;
}

/**
 * The build to run, or null for the sources: the one the parent process chose ({@link CHOSEN_BUILD_ENV}) when it is a
 * finished build of this root (or `source`), else {@link currentBuild}. Only a choice made by this process (its
 * worker threads share its pid) or by its parent counts: a value left behind in a shell or a service's environment
 * would otherwise pin every later start to that build, whatever the sources are by then. (A pid can come round again:
 * a container's first process is pid 1 at every start, so a value saved from one start's environment into the next
 * one's would still count. The build it names is still a finished build of this root.)
 */
export function chooseBuild(env = process.env, root = ROOT, pids = [process.pid, process.ppid]) {
  const value = env[CHOSEN_BUILD_ENV] ?? '';
  const colon = value.indexOf(':');
  const by = Number(value.slice(0, colon));
  const inherited = colon > 0 && pids.includes(by) ? value.slice(colon + 1) : undefined;
  if (inherited === 'source') return null;
  if (
    inherited &&
    path.dirname(inherited) === path.join(root, 'dist', 'server') &&
    fs.existsSync(path.join(inherited, COMPLETE))
  ) {
    touch(inherited);
    return inherited;
  }
  return currentBuild(root);
}

let chosen;

/**
 * Imports `source` (the file URL of a .ts file under src/): its compiled twin when the build of the current sources
 * exists, else the source itself through tsx. The choice is made once per process, and handed down to the worker
 * threads it starts (see {@link CHOSEN_BUILD_ENV}).
 */
export async function loadSource(source) {
  chosen ??= (async () => {
    const build = chooseBuild();
    process.env[CHOSEN_BUILD_ENV] = chosenBuildValue(build);
    if (build) {
      // What tsx does too: stack traces through the inline source maps, so they name the .ts files.
      process.setSourceMapsEnabled(true);
      return (file) => {
        const rel = path.relative(SRC, file).replace(/\.ts$/, '.js');
        return pathToFileURL(path.join(build, 'src', rel)).href;
      };
    }
    const { register } = await import('tsx/esm/api');
    register();
    return (file) => pathToFileURL(file).href;
  })();
  const locate = await chosen;
  return import(locate(fileURLToPath(source)));
}

/**
 * Builds the current sources into dist/server/<key>/ unless that build exists, and removes older builds (see
 * {@link prune}). Concurrent builds are safe: each writes its own temporary directory and renames it into place;
 * the first to finish wins. Returns the build's directory and whether this call made it.
 */
export async function buildServer(root = ROOT) {
  // The sources are read once: the key is the hash of exactly the bytes compiled, so a file edited during the build
  // can never be filed under a key it does not match.
  const sources = readSources(root);
  const key = keyOf(root, sources);
  const builds = path.join(root, 'dist', 'server');
  const dir = path.join(builds, key);
  if (fs.existsSync(path.join(dir, COMPLETE))) return { dir, built: false };
  const { transform } = await import('esbuild');
  const src = path.join(root, 'src');
  const tmp = path.join(builds, `.tmp-${process.pid}-${Date.now()}`);
  try {
    await Promise.all(
      sources.map(async ({ file, bytes }) => {
        const from = path.join(src, file);
        const code = bytes.toString('utf8');
        const out = await transform(code, {
          loader: 'ts',
          format: 'esm',
          target: 'node20',
          sourcemap: 'inline',
          sourcefile: from,
          define: {
            'import.meta.url': JSON.stringify(pathToFileURL(from).href),
            'import.meta.dirname': JSON.stringify(path.dirname(from)),
            'import.meta.filename': JSON.stringify(from),
          },
        });
        const to = path.join(tmp, 'src', file.replace(/\.ts$/, '.js'));
        await fs.promises.mkdir(path.dirname(to), { recursive: true });
        await fs.promises.writeFile(to, out.code);
      }),
    );
    fs.writeFileSync(path.join(tmp, COMPLETE), `${new Date().toISOString()}\n`);
    try {
      fs.renameSync(tmp, dir);
    } catch (err) {
      // Another build of the same sources finished first: use it.
      if (!fs.existsSync(path.join(dir, COMPLETE))) throw err;
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  prune(builds, key);
  return { dir, built: true };
}

/**
 * Removes finished builds but `key`, the {@link KEEP} newest others and any a process started from within the last
 * day (a running server or `npm run dev` may still load modules lazily from its build: `currentBuild` touches it at
 * each start), and temporary ones older than an hour.
 */
function prune(builds, key) {
  const entries = fs.readdirSync(builds).map((name) => {
    const stat = fs.statSync(path.join(builds, name), { throwIfNoEntry: false });
    return { name, mtime: stat?.mtimeMs ?? 0 };
  });
  const old = entries
    .filter((e) => e.name !== key && !e.name.startsWith('.tmp-'))
    .sort((a, b) => b.mtime - a.mtime)
    .slice(KEEP)
    .filter((e) => Date.now() - e.mtime > IN_USE_MS);
  const stale = entries.filter((e) => e.name.startsWith('.tmp-') && Date.now() - e.mtime > 3_600_000);
  for (const e of [...old, ...stale]) fs.rmSync(path.join(builds, e.name), { recursive: true, force: true });
}
