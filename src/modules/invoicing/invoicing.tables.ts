import type { Selectable } from 'kysely';
import type { DbBool } from '../../platform/db/database.js';
import type { InvoiceStatus } from './invoice-state-machine.js';
import type { InvoiceFailureCode } from './invoicing.errors.js';

/**
 * How an invoice request came in, set once by the caller that creates it: `direct` = the invoicing API (blue and red
 * requests), `scan_order` = a scan-to-invoice order (the scan module follows these invoices). New intake paths (the
 * counter modes, the console, the assistant) add their value here; the column is plain text, so no migration.
 */
export const INVOICE_ORIGINS = ['direct', 'scan_order', 'counter_reservation'] as const;
export type InvoiceOrigin = (typeof INVOICE_ORIGINS)[number];

/** An invoice request by serial number, blue or red, through its whole life. */
export interface InvoiceTable {
  id: string;
  tenant_id: string;
  /** Client key (≤ 32 chars), unique per tenant. */
  serial_no: string;
  /** SHA-256 of the canonical creation request: same key + same hash = the same invoice. */
  request_hash: string;
  /** The draft as last accepted (JSON of InvoiceRequestData); PATCH on a failed request replaces it. */
  request_json: string;
  business_system_code: string | null;
  /** Where the request came from (INVOICE_ORIGINS); never changes. */
  origin: InvoiceOrigin;
  kind: string;
  seller_tax_id: string;
  seller_json: string;
  buyer_name: string;
  buyer_tax_id: string | null;
  buyer_json: string;
  /** The invoice as computed by src/tax (ComputedInvoice JSON: lines, totals, buyer flags). */
  computed_json: string;
  amount_fen: number;
  tax_fen: number;
  total_fen: number;
  remark: string | null;
  drawer: string | null;
  status: InvoiceStatus;
  /** Bumped by each retry so each issuing attempt has its own job key. */
  revision: number;
  /** Part of the channel request id (`{id}-r{channel_revision}`); bumped only when PATCH changes the data. */
  channel_revision: number;
  number: string | null;
  code: string | null;
  check_code: string | null;
  issued_at: number | null;
  /** Why the request failed (or why its job is retrying): see InvoiceFailureCode, docs/errors.md. */
  failure_code: InvoiceFailureCode | null;
  failure_reason: string | null;
  is_red: DbBool;
  /** Red invoices: the blue invoice's id, reason and confirmation form. */
  blue_invoice_id: string | null;
  red_reason: string | null;
  red_form_id: string | null;
  red_form_no: string | null;
  red_form_status: string | null;
  /** Blue invoices: the status to return to when a pending red is rejected or expires. */
  status_before_red: InvoiceStatus | null;
  /** Blue invoices: what issued reds took away so far (positive fen). */
  reversed_amount_fen: number;
  reversed_tax_fen: number;
  created_at: number;
  updated_at: number;
}

export type Invoice = Selectable<InvoiceTable>;

/** Imported 税收分类编码 rows, shared by the installation (reference data, not tenant-owned). */
export interface TaxCodeTableRow {
  code: string;
  name: string;
  short_name: string;
  default_rate: string | null;
  is_summary: DbBool;
  imported_at: number;
}

export interface InvoicingTables {
  invoices: InvoiceTable;
  tax_codes: TaxCodeTableRow;
}
