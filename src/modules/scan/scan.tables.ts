import type { Selectable } from 'kysely';
import type { DbBool } from '../../platform/db/database.js';

/** `title_only` = 扫码提交抬头 (the merchant issues later); `issue` = 扫码开票 (issue on submit). */
export const SCAN_TYPES = ['title_only', 'issue'] as const;
export type ScanType = (typeof SCAN_TYPES)[number];

/** Order states (docs/scan.md). `expired` is derived from `expires_at` for open orders and never stored. */
export const ORDER_STATUSES = ['open', 'submitted', 'invoicing', 'invoiced', 'failed', 'withdrawn', 'expired'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export type StoredOrderStatus = Exclude<OrderStatus, 'expired'>;

/**
 * Where an order came from: pushed through the API, fetched from the merchant, typed at a static QR, or built by a
 * clerk at the till (码上开票, the counter module).
 */
export const ORDER_SOURCES = ['pushed', 'merchant', 'static', 'counter'] as const;
export type OrderSource = (typeof ORDER_SOURCES)[number];

/** A dynamic QR setting (动态二维码设置): the `key` every link resolves through. */
export interface ScanSettingTable {
  id: string;
  tenant_id: string;
  /** Public, system-assigned, unique across the installation (it appears in `/q/{key}` links). */
  key: string;
  name: string | null;
  seller_tax_id: string;
  business_system_code: string | null;
  scan_type: ScanType;
  /** JSON array of 票种 codes. */
  allowed_kinds: string;
  validity_days: number;
  /** JSON of the preset (默认开票) order for the static link, or null. */
  preset_json: string | null;
  enabled: DbBool;
  /** JSON of the static link's limits the merchant set (missing fields take the defaults), or null for defaults. */
  limits_json: string | null;
  /** Static-link submissions wait for the merchant (confirm = issue, reject = withdraw) instead of issuing. */
  require_confirmation: DbBool;
  /** The key's HMAC secret for merchant-assembled links, AES-256-GCM encrypted like business-system secrets. */
  secret_enc: string;
  secret_rotated_at: number;
  created_at: number;
  updated_at: number;
}

/** A scan-to-invoice order (platform-held, merchant-fetched or static). */
export interface ScanOrderTable {
  id: string;
  tenant_id: string;
  setting_id: string;
  order_no: string;
  source: OrderSource;
  /** SHA-256 of the `/s/{token}` bearer token; null for merchant links (their signature is the credential). */
  token_hash: string | null;
  /** The token itself, encrypted, so an idempotent replay of the push answers the same link. */
  token_enc: string | null;
  /** SHA-256 of the canonical push request (idempotency: same orderNo + other content → 409). */
  request_hash: string;
  status: StoredOrderStatus;
  seller_tax_id: string;
  /** JSON array of the 票种 the consumer may choose from. */
  allowed_kinds: string;
  /** JSON of `{ lines, totals?, remark? }` as pushed (the invoice request's content). */
  content_json: string;
  /** JSON summary for the pages: items with tax-inclusive amounts. */
  items_json: string;
  total_fen: number;
  notify_json: string | null;
  /** The title as submitted: JSON of the invoice request's buyer plus `kind` and `buyerType`. */
  buyer_json: string | null;
  invoice_id: string | null;
  invoice_serial_no: string | null;
  failure_reason: string | null;
  /** A static-link order of a setting with require_confirmation: submitted, it waits for the merchant. */
  needs_confirmation: DbBool;
  expires_at: number;
  submitted_at: number | null;
  invoiced_at: number | null;
  created_at: number;
  updated_at: number;
}

/**
 * A static link's accepted submissions in one Asia/Shanghai day, for the setting as a whole (`subject` '') or one
 * client (`subject` = keyed hash of its address: HMAC with the setting's secret, never the address). The minute
 * count is for the clock minute starting at `minute_start`. Rows older than yesterday are pruned.
 */
export interface ScanStaticCounterTable {
  setting_id: string;
  subject: string;
  day_start: number;
  tenant_id: string;
  day_count: number;
  day_fen: number;
  minute_start: number;
  minute_count: number;
}

/** A static-link limit that refused submissions: one row per setting, limit and window, `rejected` counts the posts. */
export interface ScanLinkExceptionTable {
  id: string;
  tenant_id: string;
  setting_id: string;
  limit_name: string;
  /** Start of the window the limit applies to (the minute, or the Asia/Shanghai day), epoch ms. */
  window_start: number;
  /** The limit as configured when it was hit (a count, or an amount as a decimal string). */
  limit_value: string;
  rejected: number;
  first_at: number;
  last_at: number;
}

export type ScanSetting = Selectable<ScanSettingTable>;
export type ScanOrder = Selectable<ScanOrderTable>;

export interface ScanTables {
  scan_settings: ScanSettingTable;
  scan_orders: ScanOrderTable;
  scan_static_counters: ScanStaticCounterTable;
  scan_link_exceptions: ScanLinkExceptionTable;
}
