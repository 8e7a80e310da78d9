import type { Selectable } from 'kysely';
import type { DbBool } from '../../platform/db/database.js';

/** One product or service of a seller org's catalogue (商品档案). */
export interface CatalogueItemTable {
  id: string;
  tenant_id: string;
  seller_tax_id: string;
  name: string;
  /** 规格型号; '' when none (part of the unique key with the name). */
  spec: string;
  unit: string | null;
  /** 税收分类编码 (19 digits, a leaf of the tax-code table when saved). */
  tax_code: string;
  /** Canonical decimal string ("0.06"), one of the rates allowed for the code. */
  tax_rate: string;
  /** Default unit price as a decimal string (up to 8 decimals as on invoices), null when entered at the sale. */
  unit_price: string | null;
  /** Whether unit_price includes tax (含税). */
  tax_inclusive: DbBool;
  enabled: DbBool;
  created_at: number;
  updated_at: number;
}

export type CatalogueItem = Selectable<CatalogueItemTable>;

export interface CatalogueTables {
  catalogue_items: CatalogueItemTable;
}
