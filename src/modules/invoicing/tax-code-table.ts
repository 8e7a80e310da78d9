import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/database.js';
import { BUILTIN_TAX_CODES, createTaxCodeTable, type TaxCodeEntry, type TaxCodeTable } from '../../tax/index.js';
import { findImportedTaxCodes, upsertTaxCodes } from './tax-codes.repo.js';

const CACHE_MS = 30_000;
let cached: { table: TaxCodeTable; loadedAt: number; db: Kysely<Database> } | null = null;

/**
 * The built-in 税收分类编码 plus every code imported into `tax_codes` (the official table, via
 * `openfapiao tax-codes import` or `POST /api/v1/tax-codes/import`). Cached for 30 s per process.
 */
export async function loadTaxCodeTable(db: Kysely<Database>, now = Date.now()): Promise<TaxCodeTable> {
  if (cached && cached.db === db && now - cached.loadedAt < CACHE_MS) return cached.table;
  const rows = await findImportedTaxCodes(db);
  const imported: TaxCodeEntry[] = rows.map((r) => ({
    code: r.code,
    name: r.name,
    shortName: r.short_name,
    defaultRate: r.default_rate ?? '',
    ...(r.is_summary === 1 ? { isSummary: true } : {}),
  }));
  const table = createTaxCodeTable(BUILTIN_TAX_CODES, imported);
  cached = { table, loadedAt: now, db };
  return table;
}

/** Forgets the cached table (after an import in this process). */
export function invalidateTaxCodeTable(): void {
  cached = null;
}

/** Upserts imported codes in batches; returns how many were written. */
export async function importTaxCodes(
  db: Kysely<Database>,
  entries: readonly TaxCodeEntry[],
  now: number,
): Promise<number> {
  for (let i = 0; i < entries.length; i += 200) {
    const batch = entries.slice(i, i + 200).map((e) => ({
      code: e.code,
      name: e.name,
      short_name: e.shortName,
      default_rate: e.defaultRate || null,
      is_summary: (e.isSummary ? 1 : 0) as 0 | 1,
      imported_at: now,
    }));
    await upsertTaxCodes(db, batch);
  }
  invalidateTaxCodeTable();
  return entries.length;
}
