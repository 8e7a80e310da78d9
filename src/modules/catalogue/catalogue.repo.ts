import { type Kysely, sql, type Updateable } from 'kysely';
import type { Database } from '../../platform/db/database.js';
import { fetchPage, type Page } from '../../platform/db/pagination.js';
import { escapeLike } from '../../platform/db/sql-helpers.js';
import type { CatalogueItem } from './catalogue.tables.js';

type Db = Kysely<Database>;

export interface CatalogueFilters {
  sellerTaxId?: string;
  /** A clerk's orgs: only these sellers (empty: none). */
  sellerTaxIds?: readonly string[];
  /** Name contains, or tax code starts with. */
  q?: string;
  enabled?: boolean;
}

export async function insertCatalogueItem(db: Db, item: CatalogueItem): Promise<void> {
  await db.insertInto('catalogue_items').values(item).execute();
}

export async function findCatalogueItem(db: Db, tenantId: string, id: string): Promise<CatalogueItem | undefined> {
  return db
    .selectFrom('catalogue_items')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function findCatalogueItemByKey(
  db: Db,
  tenantId: string,
  sellerTaxId: string,
  name: string,
  spec: string,
): Promise<CatalogueItem | undefined> {
  return db
    .selectFrom('catalogue_items')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('seller_tax_id', '=', sellerTaxId)
    .where('name', '=', name)
    .where('spec', '=', spec)
    .executeTakeFirst();
}

/** Every item of one seller org (for the import's matching and the export), by name. */
export async function findCatalogueItemsOfSeller(
  db: Db,
  tenantId: string,
  sellerTaxId: string,
): Promise<CatalogueItem[]> {
  return db
    .selectFrom('catalogue_items')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('seller_tax_id', '=', sellerTaxId)
    .orderBy('name')
    .orderBy('spec')
    .execute();
}

export async function updateCatalogueItemRow(
  db: Db,
  id: string,
  set: Updateable<Database['catalogue_items']>,
): Promise<void> {
  await db.updateTable('catalogue_items').set(set).where('id', '=', id).execute();
}

export async function deleteCatalogueItemRow(db: Db, id: string): Promise<void> {
  await db.deleteFrom('catalogue_items').where('id', '=', id).execute();
}

/** The tenant's items, newest first, one cursor page. */
export async function listCatalogueItems(
  db: Db,
  tenantId: string,
  filters: CatalogueFilters,
  page: { cursor?: string; limit: number },
): Promise<Page<CatalogueItem>> {
  let q = db.selectFrom('catalogue_items').selectAll().where('tenant_id', '=', tenantId);
  if (filters.sellerTaxIds !== undefined) {
    const ids = filters.sellerTaxIds;
    q = q.where((eb) => (ids.length === 0 ? sql<boolean>`1 = 0` : eb('seller_tax_id', 'in', ids)));
  }
  if (filters.sellerTaxId !== undefined) q = q.where('seller_tax_id', '=', filters.sellerTaxId);
  if (filters.enabled !== undefined) q = q.where('enabled', '=', filters.enabled ? 1 : 0);
  if (filters.q) {
    const needle = escapeLike(filters.q);
    q = q.where((eb) =>
      eb.or([
        sql<boolean>`name like ${`%${needle}%`} escape '\\'`,
        sql<boolean>`tax_code like ${`${needle}%`} escape '\\'`,
      ]),
    );
  }
  return fetchPage(q, page);
}
