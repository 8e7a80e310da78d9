import type { Selectable } from 'kysely';

/** A seller organisation (销方) of a tenant. */
export interface OrgTable {
  id: string;
  tenant_id: string;
  /** 纳税人识别号 (USCC), unique per tenant. */
  tax_id: string;
  name: string;
  address: string | null;
  phone: string | null;
  bank_name: string | null;
  bank_account: string | null;
  /** 6-digit administrative region code (行政区划码); defaults to USCC characters 3–8. */
  region_code: string | null;
  created_at: number;
  updated_at: number;
}

export type Org = Selectable<OrgTable>;

export interface OrgTables {
  orgs: OrgTable;
}
