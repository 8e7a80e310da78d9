import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Architecture rules, checked on the source (docs/architecture.md#boundaries says the same in prose):
 *
 * - A module is a folder `src/modules/<name>/`; its front door is `src/modules/<name>/index.ts`. Everything else in
 *   the folder is internal: a file may import another module only through its front door. The same holds for the
 *   wiring files (`src/*.ts`), `scripts/` and `test/`, except that `test/<name>/` (the tests of module `<name>`) may
 *   reach that module's internals to unit-test them (a test elsewhere that unit-tests internals is listed, with its
 *   modules, in UNIT_TESTS_OUTSIDE_THEIR_MODULE), and `bench/`, which measures internals, may reach any.
 * - Modules import the front doors of the modules below them and never the wiring files: the module graph has no
 *   cycles.
 * - `src/platform/` is infrastructure: it imports no module except, with `import type`, a module's `*.tables.ts`
 *   (to compose the `Database` type), and no wiring file.
 * - `src/tax/` is pure: it imports only `src/tax/` and the pure packages below, never a `node:` built-in.
 * - `src/parse/` (invoice file parsing) is pure the same way: it imports only `src/parse/`, `src/tax/` and the
 *   parsing packages below (bytes in, typed result out), never a `node:` built-in and no module.
 * - A module's queries name only its own tables (declared in its `*.tables.ts`).
 * - `process.env` is read only by the CLI entry point (`src/cli.ts`).
 */

const root = path.resolve(import.meta.dirname, '..');
const SCANNED_DIRS = ['src', 'test', 'scripts', 'bench'];
/** Packages `src/tax` may use: no I/O. Its tests may also use the test libraries. */
const TAX_PACKAGES = new Set(['decimal.js']);
const TAX_TEST_PACKAGES = new Set(['vitest', 'fast-check']);
/** Packages `src/parse` may use: the tax rules' own, XML, ZIP inflate and pdf.js (which reads only the CMaps it is given). */
const PARSE_PACKAGES = new Set([...TAX_PACKAGES, 'fast-xml-parser', 'fflate', 'pdfjs-dist', 'sharp', 'zxing-wasm']);
/** Tests outside `test/<name>/` that unit-test internals of the modules listed (keep this list short). */
const UNIT_TESTS_OUTSIDE_THEIR_MODULE: Readonly<Record<string, readonly string[]>> = {
  // The audited input patterns of every layer in one place: scan's H5 title form and entered-amount check.
  'test/platform/input-patterns.test.ts': ['scan'],
  // The renderer is the parser's oracle: invoices we render must parse back to their fields.
  'test/parse/parse-round-trip.test.ts': ['documents'],
  // The same invoices (the renderer's document type) drawn in foreign layouts by a test-only pdf-lib generator.
  'test/parse/invoice-arbitrary.ts': ['documents'],
  'test/parse/foreign-layout.ts': ['documents'],
  'test/parse/parse-layouts.test.ts': ['documents'],
  'test/parse/parse-bad-files.test.ts': ['documents'],
  // Pictures: rendered invoices as photos, read with the OCR engine the parse worker loads.
  'test/parse/parse-images.test.ts': ['documents', 'collection'],
  // Scanned PDFs: rendered invoices as page pictures, and the OCR engine's per-character scores.
  'test/parse/parse-scanned-pdf.test.ts': ['documents', 'collection'],
  'test/parse/parse-ocr-confidence.test.ts': ['collection'],
  // Multi-invoice PDFs: rendered invoices concatenated and merged-printed, split back into invoices.
  'test/parse/parse-multi-invoice.test.ts': ['documents'],
  'test/parse/multi-invoice-kit.ts': ['documents'],
};
const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

interface Import {
  /** Repository-relative path of the importing file, with `/`. */
  file: string;
  line: number;
  specifier: string;
  /** Repository-relative path of the imported `.ts` file, or null for a package. */
  target: string | null;
  typeOnly: boolean;
}

function listTsFiles(dir: string): string[] {
  const abs = path.join(root, dir);
  if (!fs.existsSync(abs)) return [];
  return fs
    .readdirSync(abs, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.split(path.sep).includes('node_modules'))
    .map((f) => path.posix.join(dir, f.split(path.sep).join('/')));
}

function resolveTarget(file: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
  return resolved.replace(/\.js$/, '.ts');
}

/** Every `import … from`, `export … from`, `import '…'`, `import('…')` call and `import('…')` type of a source text. */
function scanImports(file: string, text: string): Import[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: Import[] = [];
  const add = (literal: ts.Node, typeOnly: boolean) => {
    if (!ts.isStringLiteralLike(literal)) return;
    const line = source.getLineAndCharacterOfPosition(literal.getStart(source)).line + 1;
    found.push({ file, line, specifier: literal.text, target: resolveTarget(file, literal.text), typeOnly });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const allTypes =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined &&
            clause.namedBindings !== undefined &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      add(node.moduleSpecifier, allTypes);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      const clause = node.exportClause;
      const allTypes =
        node.isTypeOnly ||
        (clause !== undefined &&
          ts.isNamedExports(clause) &&
          clause.elements.length > 0 &&
          clause.elements.every((e) => e.isTypeOnly));
      add(node.moduleSpecifier, allTypes);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg) add(arg, false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

type Zone =
  | { kind: 'module'; name: string }
  | { kind: 'platform' }
  | { kind: 'tax' }
  | { kind: 'parse' }
  | { kind: 'wiring' }
  | { kind: 'test'; area: string | undefined }
  | { kind: 'bench' }
  | { kind: 'tooling' };

function zoneOf(file: string): Zone {
  const parts = file.split('/');
  if (parts[0] === 'src') {
    if (parts[1] === 'modules' && parts.length > 3) return { kind: 'module', name: parts[2]! };
    if (parts[1] === 'platform') return { kind: 'platform' };
    if (parts[1] === 'tax') return { kind: 'tax' };
    if (parts[1] === 'parse') return { kind: 'parse' };
    return { kind: 'wiring' };
  }
  if (parts[0] === 'test') return { kind: 'test', area: parts.length > 2 ? parts[1] : undefined };
  if (parts[0] === 'bench') return { kind: 'bench' };
  return { kind: 'tooling' };
}

const isTest = (file: string) => file.endsWith('.test.ts') || zoneOf(file).kind === 'test';
const frontDoor = (name: string) => `src/modules/${name}/index.ts`;
const where = (i: Import) => `${i.file}:${i.line} imports '${i.specifier}'`;

/** The rules for one import; returns why it breaks them, or null. */
function importViolation(i: Import): string | null {
  const from = zoneOf(i.file);
  const to = i.target ? zoneOf(i.target) : null;
  if (from.kind === 'tax') {
    if (to) return to.kind === 'tax' ? null : 'src/tax imports only src/tax';
    if (BUILTINS.has(i.specifier)) return 'src/tax does no I/O (no node: built-ins)';
    const pkg = i.specifier.startsWith('@') ? i.specifier.split('/').slice(0, 2).join('/') : i.specifier.split('/')[0]!;
    if (TAX_PACKAGES.has(pkg) || (isTest(i.file) && TAX_TEST_PACKAGES.has(pkg))) return null;
    return `src/tax uses only the pure packages ${[...TAX_PACKAGES].join(', ')}`;
  }
  if (from.kind === 'parse') {
    if (to) return to.kind === 'parse' || to.kind === 'tax' ? null : 'src/parse imports only src/parse and src/tax';
    if (BUILTINS.has(i.specifier)) return 'src/parse does no I/O (no node: built-ins)';
    const pkg = i.specifier.startsWith('@') ? i.specifier.split('/').slice(0, 2).join('/') : i.specifier.split('/')[0]!;
    if (PARSE_PACKAGES.has(pkg) || (isTest(i.file) && TAX_TEST_PACKAGES.has(pkg))) return null;
    return `src/parse uses only the packages ${[...PARSE_PACKAGES].join(', ')}`;
  }
  if (!to || !i.target) return null;
  if (from.kind === 'platform') {
    if (to.kind === 'wiring') return 'src/platform does not import the wiring files';
    if (to.kind !== 'module') return null;
    if (!i.target.endsWith('.tables.ts')) return 'src/platform imports no module (only its *.tables.ts types)';
    return i.typeOnly ? null : "src/platform imports a module's *.tables.ts only with `import type`";
  }
  if (from.kind === 'module' && to.kind === 'wiring') return 'a module does not import the wiring files';
  if (to.kind !== 'module') return null;
  if (from.kind === 'module' && from.name === to.name) return null;
  if ((from.kind === 'test' && from.area === to.name) || from.kind === 'bench') return null;
  if (UNIT_TESTS_OUTSIDE_THEIR_MODULE[i.file]?.includes(to.name)) return null;
  if (i.target === frontDoor(to.name)) return null;
  return `reaches into module ${to.name} instead of its front door ${frontDoor(to.name)}`;
}

function loadAllImports(): Import[] {
  return SCANNED_DIRS.flatMap(listTsFiles).flatMap((file) =>
    scanImports(file, fs.readFileSync(path.join(root, file), 'utf8')),
  );
}

/** Module → module edges of the non-test source, with one import as evidence for each. */
function moduleGraph(imports: Import[]): Map<string, Map<string, Import>> {
  const graph = new Map<string, Map<string, Import>>();
  for (const i of imports) {
    const from = zoneOf(i.file);
    const to = i.target ? zoneOf(i.target) : null;
    if (from.kind !== 'module' || to?.kind !== 'module' || from.name === to.name || isTest(i.file)) continue;
    const edges = graph.get(from.name) ?? new Map<string, Import>();
    if (!edges.has(to.name)) edges.set(to.name, i);
    graph.set(from.name, edges);
  }
  return graph;
}

/** Every elementary cycle found by a depth-first search, each once (rotated to start at its smallest name). */
function findCycles(graph: Map<string, Map<string, unknown>>): string[][] {
  const cycles = new Map<string, string[]>();
  const walk = (node: string, trail: string[]) => {
    for (const next of graph.get(node)?.keys() ?? []) {
      const at = trail.indexOf(next);
      if (at >= 0) {
        const cycle = trail.slice(at);
        const start = cycle.indexOf([...cycle].sort()[0]!);
        const rotated = [...cycle.slice(start), ...cycle.slice(0, start)];
        cycles.set(rotated.join('>'), rotated);
      } else {
        walk(next, [...trail, next]);
      }
    }
  };
  for (const node of graph.keys()) walk(node, [node]);
  return [...cycles.values()];
}

/** Table name → owning module, read from the `export interface …Tables { name: …Table; }` of each `*.tables.ts`. */
function tableOwners(): Map<string, string> {
  const owners = new Map<string, string>();
  for (const file of listTsFiles('src').filter((f) => f.endsWith('.tables.ts'))) {
    const zone = zoneOf(file);
    const owner = zone.kind === 'module' ? zone.name : 'platform';
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    for (const block of text.matchAll(/export interface \w+Tables\s*\{([^}]*)\}/g)) {
      for (const m of block[1]!.matchAll(/^\s*([a-z_]+)\??:/gm)) owners.set(m[1]!, owner);
    }
  }
  return owners;
}

const TABLE_CALL =
  /\.(selectFrom|updateTable|insertInto|deleteFrom|innerJoin|leftJoin|rightJoin|fullJoin)\(\s*'([a-z_]+)/g;

describe('architecture: modules meet only at their front doors', () => {
  const imports = loadAllImports();

  it('scans imports of every form', () => {
    const found = scanImports(
      'src/modules/a/x.ts',
      [
        "import { a } from '../b/internal.js';",
        "import type { T } from '../b/index.js';",
        "import { type U, type V } from '../c/c.tables.js';",
        "export { w } from '../d/w.js';",
        "export type { X } from '../d/x.js';",
        "import '../e/side-effect.js';",
        "const m = await import('../f/lazy.js');",
        "let t: import('../g/t.js').T;",
        '// import { no } from "../h/commented.js";',
        "import fs from 'node:fs';",
      ].join('\n'),
    );
    expect(found.map((i) => [i.line, i.target ?? i.specifier, i.typeOnly])).toEqual([
      [1, 'src/modules/b/internal.ts', false],
      [2, 'src/modules/b/index.ts', true],
      [3, 'src/modules/c/c.tables.ts', true],
      [4, 'src/modules/d/w.ts', false],
      [5, 'src/modules/d/x.ts', true],
      [6, 'src/modules/e/side-effect.ts', false],
      [7, 'src/modules/f/lazy.ts', false],
      [8, 'src/modules/g/t.ts', true],
      [10, 'node:fs', false],
    ]);
  });

  it('every module has a front door', () => {
    const modules = fs.readdirSync(path.join(root, 'src/modules'));
    expect(modules.filter((m) => !fs.existsSync(path.join(root, frontDoor(m))))).toEqual([]);
  });

  it('no file imports another module except through its index.ts; platform and tax stay below the modules', () => {
    const offenders = imports.flatMap((i) => {
      const why = importViolation(i);
      return why ? [`${where(i)}: ${why}`] : [];
    });
    expect(offenders).toEqual([]);
  });

  it('the module graph has no cycles', () => {
    const graph = moduleGraph(imports);
    const cycles = findCycles(graph).map((cycle) =>
      cycle.map((name, k) => where(graph.get(name)!.get(cycle[(k + 1) % cycle.length]!)!)).join(' → '),
    );
    expect(cycles).toEqual([]);
  });

  it("a module's queries name only its own tables", () => {
    const owners = tableOwners();
    const offenders = listTsFiles('src/modules')
      .filter((f) => !f.endsWith('.test.ts'))
      .flatMap((file) => {
        const zone = zoneOf(file);
        if (zone.kind !== 'module') return [];
        const text = fs.readFileSync(path.join(root, file), 'utf8');
        return [...text.matchAll(TABLE_CALL)].flatMap((m) => {
          const owner = owners.get(m[2]!);
          if (owner === undefined || owner === zone.name) return [];
          const line = text.slice(0, m.index).split('\n').length;
          return [`${file}:${line} ${m[1]}('${m[2]}'): table of ${owner}`];
        });
      });
    expect(offenders).toEqual([]);
  });
});

describe('process.env discipline', () => {
  it('is read only by the CLI entry point and the test helpers', () => {
    const offenders = listTsFiles('src')
      .filter((f) => !f.endsWith('.test.ts'))
      .filter((f) => fs.readFileSync(path.join(root, f), 'utf8').includes('process.env'))
      .filter((f) => f !== 'src/cli.ts');
    expect(offenders).toEqual([]);
  });
});
