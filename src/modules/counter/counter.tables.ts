import type { Selectable } from 'kysely';
import type { DbBool } from '../../platform/db/database.js';

/** Reservation states (docs/counter.md). Stored as they are: expiry is a job that moves `submitted` to `expired`. */
export const RESERVATION_STATUSES = ['submitted', 'invoicing', 'invoiced', 'failed', 'rejected', 'expired'] as const;
export type ReservationStatus = (typeof RESERVATION_STATUSES)[number];

/** What the consumer enters on the reservation page besides the title (the clerk completes the rest). */
export const ENTRY_MODES = ['none', 'amount', 'quantity_price'] as const;
export type EntryMode = (typeof ENTRY_MODES)[number];

/** 预约二维码: an org's long-lived reservation QR (`/r/{key}`) and its configuration. */
export interface CounterReservationQrTable {
  id: string;
  tenant_id: string;
  /** Public, system-assigned, unique across the installation (it appears in `/r/{key}` links). */
  key: string;
  seller_tax_id: string;
  name: string;
  /** JSON of the configuration (ReservationConfig): items, entry mode, fixed amount, remark fields, kinds, expiry. */
  config_json: string;
  /** JSON of the abuse limits (per client and per QR), or null for the defaults. */
  limits_json: string | null;
  enabled: DbBool;
  created_at: number;
  updated_at: number;
}

/** A consumer's reservation (预约单): their title and contacts, waiting for the clerk. */
export interface CounterReservationTable {
  id: string;
  tenant_id: string;
  qr_id: string;
  seller_tax_id: string;
  /** 序号: per org per Asia/Shanghai day, from 1 (`seq_day` is the day's start, epoch ms). */
  seq_day: number;
  seq_no: number;
  status: ReservationStatus;
  /** SHA-256 of the status page's bearer token (`/r/t/{token}`); the token itself is never stored. */
  token_hash: string;
  /** JSON of the submitted title (kind, buyer type, name, tax id, …, e-mail, mobile). */
  buyer_json: string;
  /** Copies of the title's searchable parts. */
  buyer_name: string;
  mobile: string | null;
  email: string | null;
  /** JSON of what the consumer entered: amount, quantity and unit price, remark fields. */
  entry_json: string;
  /** JSON of the invoice lines the clerk completed (or the configuration's fixed items), null until issued. */
  lines_json: string | null;
  total_fen: number | null;
  invoice_id: string | null;
  invoice_serial_no: string | null;
  reject_reason: string | null;
  failure_reason: string | null;
  expires_at: number;
  created_at: number;
  updated_at: number;
}

/** The last 序号 allocated for an org on an Asia/Shanghai day (one upsert allocates the next). */
export interface CounterSequenceTable {
  tenant_id: string;
  seller_tax_id: string;
  day_start: number;
  last_no: number;
}

/**
 * Fixed-window counters of the consumer endpoints' abuse limits: `scope` names the limit and its subject
 * (`r:{qrId}` the QR, `rc:{qrId}` a client of it, …), `subject` the keyed hash of the client or '' for the whole.
 */
export interface CounterRateCounterTable {
  scope: string;
  subject: string;
  window_start: number;
  count: number;
}

/** 抬头联想: the company buyers (with a tax id) of a tenant's issued invoices — never natural persons. */
export interface CounterBuyerDirectoryTable {
  tenant_id: string;
  tax_id: string;
  name: string;
  /** The name upper-cased for matching. */
  name_key: string;
  last_used_at: number;
}

/** 自助打印终端: a store's kiosk link (`/k/{token}`), revocable. */
export interface CounterKioskTable {
  id: string;
  tenant_id: string;
  seller_tax_id: string;
  name: string;
  /** SHA-256 of the kiosk link's token (shown once when created). */
  token_hash: string;
  /** Page size the kiosk prints (`a4` or `a5`). */
  paper: string;
  revoked_at: number | null;
  created_at: number;
}

/** 提取码: the code that, with the order number, lets a kiosk show one invoice. Stored as a keyed hash only. */
export interface CounterExtractionCodeTable {
  tenant_id: string;
  /** The order number printed on the receipt: the invoice's serial number (a reservation's `R-…`). */
  order_no: string;
  code_hash: string;
  created_at: number;
}

/** 柜台 settings of one seller org: the 码上开票 QR's validity, the scan setting its orders go through, the ticket. */
export interface CounterSettingTable {
  tenant_id: string;
  seller_tax_id: string;
  /** The scan setting (动态二维码设置) the org's 码上开票 orders are created under; made on first use. */
  scan_setting_key: string | null;
  /** How long a 码上开票 QR stays valid, in minutes. */
  qr_validity_minutes: number;
  /** JSON of the receipt (小票) layout: paper width, header and footer text, which fields are printed. */
  receipt_json: string | null;
  created_at: number;
  updated_at: number;
}

export type ReservationQr = Selectable<CounterReservationQrTable>;
export type Reservation = Selectable<CounterReservationTable>;
export type Kiosk = Selectable<CounterKioskTable>;

export interface CounterTables {
  counter_reservation_qrs: CounterReservationQrTable;
  counter_reservations: CounterReservationTable;
  counter_sequences: CounterSequenceTable;
  counter_rate_counters: CounterRateCounterTable;
  counter_buyer_directory: CounterBuyerDirectoryTable;
  counter_kiosks: CounterKioskTable;
  counter_extraction_codes: CounterExtractionCodeTable;
  counter_settings: CounterSettingTable;
}
