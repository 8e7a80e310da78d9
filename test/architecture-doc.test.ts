import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * docs/architecture.md is what a newcomer reads first; these checks keep the parts of it a test can read true: the
 * members of `Deps`, where the auth hook runs, and every piece of module-level state.
 */
const root = path.resolve(import.meta.dirname, '..');
const doc = fs.readFileSync(path.join(root, 'docs/architecture.md'), 'utf8');

function sourceFiles(dir: string): string[] {
  return fs
    .readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('-test-kit.ts'))
    .map((f) => path.join(dir, f).split(path.sep).join('/'));
}

/** The rows of the markdown table that follows `marker` in the doc, as arrays of cells. */
function tableAfter(marker: string): string[][] {
  const start = doc.indexOf(marker);
  expect(start, `docs/architecture.md has "${marker}"`).toBeGreaterThanOrEqual(0);
  const lines = doc.slice(start).split('\n');
  const first = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim()),
    );
  }
  return rows;
}

const codeName = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

/** Member names of every `interface Deps { … }` block (the platform's and the modules' declaration merges). */
function depsMembers(): string[] {
  const names = new Set<string>();
  for (const file of sourceFiles('src')) {
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    for (const block of text.matchAll(/interface Deps \{([\s\S]*?)\n\s*\}/g)) {
      for (const m of block[1]!.matchAll(/^\s*readonly (\w+)\??:/gm)) names.add(m[1]!);
    }
  }
  return [...names].sort();
}

/**
 * Module-level mutable state: top-level `let`, `Map`/`WeakMap`/`WeakSet`/`EventEmitter` instances, empty `Set`s, and
 * singletons made by a factory called without arguments (`export const x = createX()`).
 */
function findModuleState(file: string, text: string): string[] {
  const found: string[] = [];
  const patterns = [
    /^(?:export )?let (\w+)/,
    /^(?:export )?const (\w+)(?:: [^=]+)? = new (?:Map|WeakMap|WeakSet|EventEmitter)\b/,
    /^(?:export )?const (\w+)(?:: [^=]+)? = new Set(?:<[^>]*>)?\(\)/,
    /^(?:export )?const (\w+)(?:: [^=]+)? = create\w*\(\);/,
  ];
  for (const line of text.split('\n')) {
    for (const re of patterns) {
      const m = re.exec(line);
      if (m) found.push(`${file.replace(/^src\//, '')} ${m[1]}`);
    }
  }
  return found;
}

describe('docs/architecture.md matches the code', () => {
  it('lists exactly the members of Deps', () => {
    const documented = tableAfter('Its members').map((row) => codeName(row[0]!)[0]!);
    expect(documented.sort()).toEqual(depsMembers());
  });

  it('says the auth hook runs on onRequest, before the body is parsed and validated, as the code registers it', () => {
    const hooks: string[] = [];
    for (const file of sourceFiles('src')) {
      const text = fs.readFileSync(path.join(root, file), 'utf8');
      for (const m of text.matchAll(/addHook\('(\w+)', createAuthHook/g)) hooks.push(m[1]!);
    }
    expect(hooks.length).toBeGreaterThan(0);
    expect(new Set(hooks)).toEqual(new Set(['onRequest']));
    const flow = doc.slice(doc.indexOf('## Request flow'), doc.indexOf('## Job flow'));
    expect(flow.indexOf('onRequest: the auth hook')).toBeGreaterThan(0);
    expect(flow.indexOf('onRequest: the auth hook')).toBeLessThan(flow.indexOf('body parsing'));
    expect(flow.indexOf('body parsing')).toBeLessThan(flow.indexOf('schema validation'));
  });

  it('lists every piece of module-level state', () => {
    const found = sourceFiles('src').flatMap((f) => findModuleState(f, fs.readFileSync(path.join(root, f), 'utf8')));
    const documented = tableAfter('Module-level state').flatMap((row) => {
      const [file] = codeName(row[0]!);
      return codeName(row[1]!).map((name) => `${file} ${name}`);
    });
    expect(documented.sort()).toEqual(found.sort());
  });

  it('finds module-level state of each kind (the scanner itself)', () => {
    const sample = [
      'let cached: Foo | undefined;',
      'const registry = new Map<string, X>();',
      'export const waiter: Waiter = createWaiter();',
      'const seen = new Set<string>();',
      "const KINDS = new Set(['a', 'b']);",
      'function f() {',
      '  let local = 0;',
      '}',
      "const table = createTable(['x']);",
    ].join('\n');
    expect(findModuleState('src/x.ts', sample)).toEqual(['x.ts cached', 'x.ts registry', 'x.ts waiter', 'x.ts seen']);
  });
});
