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

/**
 * A seller org logged in to the issuing channel (its channel account is bound). The primary key is the tax id: one
 * tax id is bound to at most one tenant at a time, enforced by the database.
 */
export interface OrgChannelBindingTable {
  tax_id: string;
  tenant_id: string;
  org_id: string;
  /** The channel that verified the credential (`sandbox`). */
  channel: string;
  bound_at: number;
}

export type OrgChannelBinding = Selectable<OrgChannelBindingTable>;

export interface OrgTables {
  orgs: OrgTable;
  org_channel_bindings: OrgChannelBindingTable;
}
