import type { Selectable } from 'kysely';
import type { DbBool } from '../../platform/db/database.js';

/** A merchant's business system (业务系统): where webhooks go and where scan-to-invoice asks for orders. */
export interface BusinessSystemTable {
  id: string;
  tenant_id: string;
  /** 业务系统编码, unique per tenant; invoices and orders carry it as `businessSystemCode`. */
  code: string;
  name: string;
  callback_url: string | null;
  order_query_url: string | null;
  /** JSON array of subscribed public event names. */
  events_json: string;
  /** 1: also receives events of invoices that carry another (or no) businessSystemCode. */
  receive_all_invoices: DbBool;
  enabled: DbBool;
  /** The signing secret, AES-256-GCM encrypted (`v1:` + base64 iv|ciphertext|tag); never stored in clear. */
  secret_enc: string;
  /** The secret before the last rotation, still signing until `previous_secret_expires_at`. */
  previous_secret_enc: string | null;
  previous_secret_expires_at: number | null;
  secret_rotated_at: number | null;
  /** CSP `frame-ancestors` sources allowed to embed the assistant pages opened for this system (space-separated). */
  frame_ancestors: string | null;
  created_at: number;
  updated_at: number;
}

export type BusinessSystem = Selectable<BusinessSystemTable>;

/** The business-system table (composed into Database). */
export interface BusinessSystemTables {
  business_systems: BusinessSystemTable;
}
