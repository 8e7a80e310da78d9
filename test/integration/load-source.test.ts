import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildServer, CHOSEN_BUILD_ENV, chooseBuild, chosenBuildValue, currentBuild } from '../../bin/load-source.js';

// The compiled build the CLI and the workers run (bin/load-source.js), on a small source tree of its own.
describe('the compiled build of src/', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'openfapiao-build-'));
  const src = path.join(root, 'src');
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(src, file)), { recursive: true });
    fs.writeFileSync(path.join(src, file), text);
  };
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('is used only for the very sources it was made from, and keeps import.meta of the source file', async () => {
    write(
      'a/b.ts',
      "import { c } from './c.js';\nexport const where: string = import.meta.url;\nexport const n = c;\n",
    );
    write('a/c.ts', 'export const c: number = 1;\n');
    write('a/b.test.ts', 'throw new Error("tests are not compiled");\n');
    expect(currentBuild(root)).toBeNull();

    const first = await buildServer(root);
    expect(first.built).toBe(true);
    expect(currentBuild(root)).toBe(first.dir);
    expect(fs.existsSync(path.join(first.dir, 'src/a/b.test.js'))).toBe(false);
    const compiled = await import(pathToFileURL(path.join(first.dir, 'src/a/b.js')).href);
    expect({ ...compiled }).toEqual({ where: pathToFileURL(path.join(src, 'a/b.ts')).href, n: 1 });
    expect(await buildServer(root)).toEqual({ dir: first.dir, built: false });

    // A test file is not part of the build; any compiled source changing (or a new one) makes it stale.
    write('a/b.test.ts', 'throw new Error("still not compiled");\n');
    expect(currentBuild(root)).toBe(first.dir);
    write('a/c.ts', 'export const c: number = 2;\n');
    expect(currentBuild(root)).toBeNull();
    const second = await buildServer(root);
    expect(second.dir).not.toBe(first.dir);
    expect(currentBuild(root)).toBe(second.dir);
    write('a/d.ts', 'export {};\n');
    expect(currentBuild(root)).toBeNull();
  });

  it('files a build under the key of the very bytes it compiled, when a source changes while it builds', async () => {
    write('a/c.ts', 'export const c: number = 10;\n');
    // buildServer reads the sources before its first await; the edit lands while it compiles, and is undone later.
    const building = buildServer(root);
    write('a/c.ts', 'export const c: number = 11;\n');
    const built = await building;
    expect(currentBuild(root)).toBeNull();
    write('a/c.ts', 'export const c: number = 10;\n');
    expect(currentBuild(root)).toBe(built.dir);
    const compiled = await import(pathToFileURL(path.join(built.dir, 'src/a/c.js')).href);
    expect(compiled.c).toBe(10);
  });

  it('a worker or child runs what its parent chose (a finished build of this root, or the sources)', async () => {
    write('a/c.ts', 'export const c: number = 20;\n');
    const built = await buildServer(root);
    expect(chooseBuild({}, root)).toBe(built.dir);
    /** As this process hands it down (its threads share its pid; a child sees it as its parent's). */
    const handed = (choice: string) => chosenBuildValue(choice === 'source' ? null : choice);
    // The parent ran the sources (no build then): so does the child, though a build exists now.
    expect(chooseBuild({ [CHOSEN_BUILD_ENV]: handed('source') }, root)).toBeNull();
    write('a/c.ts', 'export const c: number = 21;\n');
    expect(currentBuild(root)).toBeNull();
    // The parent's build, though the sources changed since it started: the child runs the parent's code, unhashed.
    expect(chooseBuild({ [CHOSEN_BUILD_ENV]: handed(built.dir) }, root)).toBe(built.dir);
    // Not a finished build of this root: chosen afresh.
    const unfinished = path.join(root, 'dist', 'server', 'unfinished');
    fs.mkdirSync(unfinished, { recursive: true });
    for (const dir of [unfinished, path.join(os.tmpdir(), 'elsewhere'), `${built.dir}/..`]) {
      expect(chooseBuild({ [CHOSEN_BUILD_ENV]: handed(dir) }, root)).toBeNull();
    }
    write('a/c.ts', 'export const c: number = 20;\n');
    expect(chooseBuild({ [CHOSEN_BUILD_ENV]: handed(unfinished) }, root)).toBe(built.dir);
    // A child process: its parent's choice counts; one left in the environment by another process (a shell, a service
    // file) does not, nor an untagged or malformed one — those choose afresh: the build of the current sources, or
    // (after an edit) the sources.
    const pids = [4343, 4242];
    expect(chooseBuild({ [CHOSEN_BUILD_ENV]: chosenBuildValue(null, 4242) }, root, pids)).toBeNull();
    const stray = [chosenBuildValue(null, 4141), 'source', ':source', 'x:source', '4242source'];
    for (const value of stray) expect(chooseBuild({ [CHOSEN_BUILD_ENV]: value }, root, pids)).toBe(built.dir);
    write('a/c.ts', 'export const c: number = 22;\n');
    expect(chooseBuild({ [CHOSEN_BUILD_ENV]: chosenBuildValue(built.dir, 4242) }, root, pids)).toBe(built.dir);
    for (const value of [chosenBuildValue(built.dir, 4141), built.dir, `:${built.dir}`]) {
      expect(chooseBuild({ [CHOSEN_BUILD_ENV]: value }, root, pids)).toBeNull();
    }
  });

  it('keeps the three newest older builds and any a process started from within a day; removes the rest', async () => {
    const dirs: string[] = [];
    for (let i = 0; i < 5; i++) {
      write('a/e.ts', `export const e = ${i};\n`);
      dirs.push((await buildServer(root)).dir);
    }
    // All five are there: the last three older ones are the newest, the first two were used (made) within a day.
    for (const dir of dirs) expect(fs.existsSync(dir)).toBe(true);
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3_600_000);
    for (const dir of dirs.slice(0, 2)) fs.utimesSync(dir, twoDaysAgo, twoDaysAgo);
    // A process starting from the second build touches it: in use again.
    write('a/e.ts', 'export const e = 1;\n');
    expect(currentBuild(root)).toBe(dirs[1]);
    write('a/e.ts', 'export const e = 5;\n');
    await buildServer(root);
    expect(fs.existsSync(dirs[0]!)).toBe(false);
    for (const dir of dirs.slice(1)) expect(fs.existsSync(dir)).toBe(true);
  });
});
