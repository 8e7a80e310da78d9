import { isUniqueViolation } from '../../platform/db/sql-helpers.js';
import type { Deps } from '../../platform/deps.js';
import { AppError } from '../../platform/errors/app-error.js';
import { newId } from '../../platform/ids.js';
import { type AuditMeta, auditSnapshot, withAuditDeps } from '../audit/index.js';
import { loadTaxCodeTable } from '../invoicing/index.js';
import { getSellerOrThrow } from '../orgs/index.js';
import {
  CATALOGUE_IMPORT_INVALID,
  CATALOGUE_ITEM_EXISTS,
  CATALOGUE_ITEM_INVALID,
  CATALOGUE_ITEM_NOT_FOUND,
} from './catalogue.errors.js';
import {
  deleteCatalogueItemRow,
  findCatalogueItem,
  findCatalogueItemByKey,
  findCatalogueItemsOfSeller,
  insertCatalogueItem,
  updateCatalogueItemRow,
} from './catalogue.repo.js';
import type { CatalogueItem } from './catalogue.tables.js';
import { parseCatalogueCsv } from './catalogue-csv.js';
import { canonicalPrice, canonicalRate, checkItemFields, type FieldError, type ItemFields } from './item-rules.js';

const exists = (fields: Pick<ItemFields, 'name' | 'spec'>) =>
  new AppError(
    CATALOGUE_ITEM_EXISTS,
    `已有名称为「${fields.name}」${fields.spec ? `、规格为「${fields.spec}」` : ''}的商品`,
  );

async function assertValid(deps: Deps, fields: ItemFields): Promise<void> {
  const errors = checkItemFields(fields, await loadTaxCodeTable(deps.db.kysely));
  if (errors.length > 0) {
    throw new AppError(CATALOGUE_ITEM_INVALID, errors.map((e) => e.message).join('；'), { errors });
  }
}

/** The stored columns of valid fields. */
function columns(fields: ItemFields) {
  return {
    name: fields.name,
    spec: fields.spec ?? '',
    unit: fields.unit ?? null,
    tax_code: fields.taxCode,
    tax_rate: canonicalRate(fields.taxRate),
    unit_price: fields.unitPrice === undefined ? null : canonicalPrice(fields.unitPrice),
    tax_inclusive: fields.taxInclusive ? (1 as const) : (0 as const),
    enabled: fields.enabled ? (1 as const) : (0 as const),
  };
}

/** The stored row back as fields (for a patch to start from). */
export function fieldsOf(item: CatalogueItem): ItemFields {
  return {
    name: item.name,
    spec: item.spec === '' ? undefined : item.spec,
    unit: item.unit ?? undefined,
    taxCode: item.tax_code,
    taxRate: item.tax_rate,
    unitPrice: item.unit_price ?? undefined,
    taxInclusive: item.tax_inclusive === 1,
    enabled: item.enabled === 1,
  };
}

export async function getCatalogueItemOrThrow(deps: Deps, tenantId: string, id: string): Promise<CatalogueItem> {
  const item = await findCatalogueItem(deps.db.kysely, tenantId, id);
  if (!item) throw new AppError(CATALOGUE_ITEM_NOT_FOUND, `商品 ${id} 不存在`);
  return item;
}

/** Adds an item to a seller org's catalogue (audited `catalogue.items.create`). */
export async function createCatalogueItem(
  deps: Deps,
  tenantId: string,
  sellerTaxId: string,
  fields: ItemFields,
  meta: AuditMeta,
): Promise<CatalogueItem> {
  await getSellerOrThrow(deps.db.kysely, tenantId, sellerTaxId);
  await assertValid(deps, fields);
  const now = deps.clock.now();
  const item: CatalogueItem = {
    id: newId('itm', now),
    tenant_id: tenantId,
    seller_tax_id: sellerTaxId,
    ...columns(fields),
    created_at: now,
    updated_at: now,
  };
  if (await findCatalogueItemByKey(deps.db.kysely, tenantId, sellerTaxId, item.name, item.spec)) throw exists(fields);
  try {
    await withAuditDeps(
      deps,
      meta,
      (d) => insertCatalogueItem(d.db.kysely, item),
      () => ({
        action: 'catalogue.items.create',
        target: { type: 'catalogue_item', id: item.id },
        after: auditSnapshot(item),
      }),
    );
  } catch (err) {
    if (isUniqueViolation(err)) throw exists(fields);
    throw err;
  }
  return item;
}

/** Changes an item (the patch over its current fields, checked as a whole; audited `catalogue.items.update`). */
export async function updateCatalogueItem(
  deps: Deps,
  before: CatalogueItem,
  patch: Partial<ItemFields>,
  meta: AuditMeta,
): Promise<CatalogueItem> {
  const fields: ItemFields = { ...fieldsOf(before), ...patch };
  await assertValid(deps, fields);
  const after: CatalogueItem = { ...before, ...columns(fields), updated_at: deps.clock.now() };
  if (after.name !== before.name || after.spec !== before.spec) {
    const other = await findCatalogueItemByKey(
      deps.db.kysely,
      before.tenant_id,
      before.seller_tax_id,
      after.name,
      after.spec,
    );
    if (other && other.id !== before.id) throw exists(fields);
  }
  try {
    await withAuditDeps(
      deps,
      meta,
      (d) => updateCatalogueItemRow(d.db.kysely, before.id, { ...columns(fields), updated_at: after.updated_at }),
      () => ({
        action: 'catalogue.items.update',
        target: { type: 'catalogue_item', id: before.id },
        before: auditSnapshot(before),
        after: auditSnapshot(after),
      }),
    );
  } catch (err) {
    if (isUniqueViolation(err)) throw exists(fields);
    throw err;
  }
  return after;
}

export async function deleteCatalogueItem(deps: Deps, item: CatalogueItem, meta: AuditMeta): Promise<void> {
  await withAuditDeps(
    deps,
    meta,
    (d) => deleteCatalogueItemRow(d.db.kysely, item.id),
    () => ({
      action: 'catalogue.items.delete',
      target: { type: 'catalogue_item', id: item.id },
      before: auditSnapshot(item),
    }),
  );
}

export interface ImportRowError {
  line: number;
  name: string | null;
  errors: FieldError[];
}

export interface ImportResult {
  created: number;
  updated: number;
  unchanged: number;
  dryRun: boolean;
}

/**
 * CSV import, all-or-nothing: every row is checked (the same rules as the API, plus duplicates within the file);
 * when any row is wrong nothing is written and CATALOGUE_IMPORT_INVALID lists every wrong row with its line number.
 * Otherwise rows whose name and 规格型号 match an item update it, the others are added — in one transaction with
 * one audit entry (`catalogue.items.import`). `dryRun` checks and counts without writing.
 */
export async function importCatalogueCsv(
  deps: Deps,
  tenantId: string,
  sellerTaxId: string,
  text: string,
  options: { dryRun: boolean; meta: AuditMeta },
): Promise<ImportResult> {
  await getSellerOrThrow(deps.db.kysely, tenantId, sellerTaxId);
  const parsed = parseCatalogueCsv(text);
  if (!parsed.ok) throw new AppError(CATALOGUE_IMPORT_INVALID, parsed.message, { rows: [] });
  const taxCodes = await loadTaxCodeTable(deps.db.kysely);
  const bad: ImportRowError[] = [];
  const seen = new Map<string, number>();
  const valid: ItemFields[] = [];
  for (const row of parsed.rows) {
    const errors = [...row.errors];
    if (row.fields) {
      errors.push(...checkItemFields(row.fields, taxCodes));
      const key = `${row.fields.name}\u0000${row.fields.spec ?? ''}`;
      const first = seen.get(key);
      if (first !== undefined) {
        errors.push({ field: 'name', message: `与第 ${first} 行同名同规格` });
      } else seen.set(key, row.line);
    }
    if (errors.length > 0) bad.push({ line: row.line, name: row.fields?.name.slice(0, 100) || null, errors });
    else valid.push(row.fields!);
  }
  if (bad.length > 0) {
    throw new AppError(
      CATALOGUE_IMPORT_INVALID,
      `${bad.length} 行有错误，未导入任何商品（共 ${parsed.rows.length} 行）`,
      {
        rows: bad.slice(0, 500),
        invalidRows: bad.length,
        totalRows: parsed.rows.length,
      },
    );
  }
  const now = deps.clock.now();
  const plan = async (db: Deps['db']['kysely']) => {
    const existing = new Map(
      (await findCatalogueItemsOfSeller(db, tenantId, sellerTaxId)).map((i) => [`${i.name}\u0000${i.spec}`, i]),
    );
    const inserts: CatalogueItem[] = [];
    const updates: { id: string; set: ReturnType<typeof columns> }[] = [];
    let unchanged = 0;
    for (const fields of valid) {
      const set = columns(fields);
      const current = existing.get(`${set.name}\u0000${set.spec}`);
      if (!current) {
        inserts.push({
          id: newId('itm', now),
          tenant_id: tenantId,
          seller_tax_id: sellerTaxId,
          ...set,
          created_at: now,
          updated_at: now,
        });
      } else if ((Object.keys(set) as (keyof typeof set)[]).some((k) => current[k] !== set[k])) {
        updates.push({ id: current.id, set });
      } else unchanged++;
    }
    return { inserts, updates, unchanged };
  };
  if (options.dryRun) {
    const { inserts, updates, unchanged } = await plan(deps.db.kysely);
    return { created: inserts.length, updated: updates.length, unchanged, dryRun: true };
  }
  try {
    return await withAuditDeps(
      deps,
      options.meta,
      async (d) => {
        const db = d.db.kysely;
        const { inserts, updates, unchanged } = await plan(db);
        for (const item of inserts) await insertCatalogueItem(db, item);
        for (const u of updates) await updateCatalogueItemRow(db, u.id, { ...u.set, updated_at: now });
        return { created: inserts.length, updated: updates.length, unchanged, dryRun: false };
      },
      (r) => ({
        action: 'catalogue.items.import',
        target: { type: 'seller', id: sellerTaxId },
        after: { created: r.created, updated: r.updated, unchanged: r.unchanged },
      }),
    );
  } catch (err) {
    // Another import or an edit added the same name meanwhile: nothing was written; importing again settles it.
    if (isUniqueViolation(err))
      throw new AppError(CATALOGUE_ITEM_EXISTS, '导入时有同名同规格的商品被同时添加，请重新导入');
    throw err;
  }
}

export { findCatalogueItemsOfSeller };
