import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const MODULES = path.join(ROOT, 'src/modules');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

/** Kysely query builders and raw SQL: `db.selectFrom(…)`, `trx.insertInto(…)`, `sql\`…\``, `sql<T>\`…\``, `sql.ref(…)`. */
const SQL_CALL =
  /\.(selectFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto)\s*\(|\bsql\s*(<[^>]*>)?\s*`|\bsql\.(ref|raw|id|table|lit|join|val)\b/;

/** Lines of `text` that build SQL, as `line: code` (comments are skipped). */
function sqlLines(text: string): string[] {
  return text
    .split('\n')
    .map((line, i) => ({ line, no: i + 1 }))
    .filter(({ line }) => !/^\s*(\/\/|\*|\/\*)/.test(line) && SQL_CALL.test(line))
    .map(({ line, no }) => `${no}: ${line.trim()}`);
}

describe('conventions', () => {
  it('the SQL detector sees builder calls and raw SQL, and not prose', () => {
    expect(sqlLines("  const row = await db.selectFrom('invoices').selectAll();")).toHaveLength(1);
    expect(sqlLines("  await trx\n    .updateTable('jobs')")).toHaveLength(1);
    expect(sqlLines('  q.where(sql<boolean>`a like b`)')).toHaveLength(1);
    expect(sqlLines("  const id = sql.ref<string>('id');")).toHaveLength(1);
    expect(sqlLines(' * reads with selectFrom(…) in the repo')).toHaveLength(0);
    expect(sqlLines('  const url = selectFromList(items);')).toHaveLength(0);
  });

  it('SQL lives in *.repo.ts: no other file under src/modules builds a query', () => {
    const offenders = sourceFiles(MODULES)
      .filter((file) => !file.endsWith('.repo.ts'))
      .flatMap((file) => sqlLines(fs.readFileSync(file, 'utf8')).map((l) => `${path.relative(ROOT, file)}:${l}`));
    expect(offenders, 'move these queries into the module’s *.repo.ts (docs/architecture.md, Conventions)').toEqual([]);
  });

  it('one unique-violation check and one LIKE escape: src/platform/db/sql-helpers.ts, no copies', () => {
    // A dialect's unique-violation code, or an escape of LIKE's wildcards, written out anywhere else.
    const copy = /'23505'|'SQLITE_CONSTRAINT|replace\(\/\[\\\\%_\]\/g/;
    const helpers = path.join(ROOT, 'src/platform/db/sql-helpers.ts');
    expect(copy.test(fs.readFileSync(helpers, 'utf8')), 'the detector sees the helpers themselves').toBe(true);
    const offenders = sourceFiles(path.join(ROOT, 'src'))
      .filter((file) => file !== helpers)
      .flatMap((file) =>
        fs
          .readFileSync(file, 'utf8')
          .split('\n')
          .flatMap((line, i) => (copy.test(line) ? [`${path.relative(ROOT, file)}:${i + 1}: ${line.trim()}`] : [])),
      );
    expect(offenders, 'use isUniqueViolation / escapeLike from src/platform/db/sql-helpers.ts').toEqual([]);
  });
});
