import type { Selectable } from 'kysely';

/**
 * 合规规则 of a tenant: one row per buyer org that has its own rules, and one row (`buyer_org_id` null) for the
 * tenant's default, which applies to items without a buyer org and to orgs without their own row.
 */
export interface ReceivedRulesTable {
  id: string;
  tenant_id: string;
  /** `orgs.id` of the buyer org, or null for the tenant's default. */
  buyer_org_id: string | null;
  /** JSON of every rule's setting (`receivedRulesJson`). */
  rules: string;
  updated_at: number;
  /** Who saved them (the audit log's actor name). */
  updated_by: string;
}

export type ReceivedRulesRow = Selectable<ReceivedRulesTable>;

export interface ComplianceTables {
  received_rules: ReceivedRulesTable;
}
