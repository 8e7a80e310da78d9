import type { Selectable } from 'kysely';
import { RECEIVED_VERIFICATION_STATUSES, USAGE_STATUSES as TAX_USAGE_STATUSES } from '../../tax/index.js';

/** How an item came in (docs/collection.md#intake). */
export const RECEIVED_SOURCES = ['upload', 'mail', 'manual', 'api', 'assistant'] as const;
export type ReceivedSource = (typeof RECEIVED_SOURCES)[number];

/** A file's parse outcome: `ok` (items read), `failed` (stored with its error), `archive` (a ZIP: see its entries). */
/**
 * ok (read), failed (kept with its error), archive (a ZIP), ocr_pending (it needs OCR, which was temporarily
 * unavailable: read again later by collection/reread-received-file; items read from its QR may exist meanwhile).
 */
export const RECEIVED_FILE_STATUSES = ['ok', 'failed', 'archive', 'ocr_pending'] as const;
export type ReceivedFileStatus = (typeof RECEIVED_FILE_STATUSES)[number];

/** Compliance outcome of an item (rules in compliance/, `pending` until evaluated). */
export const COMPLIANCE_RESULTS = ['pending', 'pass', 'warn', 'block'] as const;
export type ComplianceResult = (typeof COMPLIANCE_RESULTS)[number];

/** Verification status of an item (src/tax/verification-statuses.ts: the list and its Chinese names). */
export const VERIFICATION_STATUSES = RECEIVED_VERIFICATION_STATUSES;
export type VerificationStatus = (typeof VERIFICATION_STATUSES)[number];

/**
 * What is done with an item (报销状态): `unused`, `claimed` (bound to at least one bill of an expense system), `booked`
 * (已入账: booked by a voucher); src/tax/usage-statuses.ts holds the list, the names and the rule. Kept in step by the
 * assistant module (setReceivedUsage, on rows it locked with lockReceivedInvoices). Only `unused` items may be deleted.
 */
export const USAGE_STATUSES = TAX_USAGE_STATUSES;
export type UsageStatus = (typeof USAGE_STATUSES)[number];

/**
 * A file that came in, stored unchanged in the blob store (documents' BlobStore, by `sha256`) even when it cannot be
 * parsed. Unique per (tenant, sha256): the same bytes again are the same file. A ZIP is one row (`format` zip,
 * `parse_status` archive, `entries_json` its entries) and each entry another with `parent_id` → the ZIP.
 */
export interface ReceivedFileTable {
  id: string;
  tenant_id: string;
  sha256: string;
  size: number;
  file_name: string;
  /** Sniffed from the bytes (never the name). */
  content_type: string;
  /** pdf | ofd | xml | zip | image | unknown (sniffed). */
  format: string;
  parent_id: string | null;
  /** ZIPs: `[{ name, fileId }]` of the entries read. */
  entries_json: string | null;
  source: ReceivedSource;
  source_ref: string | null;
  brought_by: string | null;
  buyer_org_id: string | null;
  note: string | null;
  parse_status: ReceivedFileStatus;
  error_code: string | null;
  error_message: string | null;
  created_at: number;
}

/** One invoice of the pool (进项发票池): read from a file or typed in (`file_id` null). Money in integer fen. */
export interface ReceivedInvoiceTable {
  id: string;
  tenant_id: string;
  file_id: string | null;
  index_in_file: number;
  source: ReceivedSource;
  source_ref: string | null;
  brought_by: string | null;
  buyer_org_id: string | null;
  note: string | null;
  /** Received kind code (src/tax/received-invoice-kinds.ts). */
  kind: string;
  code: string | null;
  number: string | null;
  /** YYYY-MM-DD. */
  issue_date: string | null;
  check_code: string | null;
  seller_name: string | null;
  seller_tax_id: string | null;
  buyer_name: string | null;
  buyer_tax_id: string | null;
  amount_fen: number | null;
  tax_fen: number | null;
  total_fen: number | null;
  /** 价税合计 of the red invoices issued against it (≤ 0) as the last verification found; null: not disclosed yet. */
  red_total_fen: number | null;
  is_red: number;
  lines_json: string;
  remark: string | null;
  /** fieldSources, confidence, warnings, passenger, format. */
  extraction_json: string;
  verification_status: string;
  verified_at: number | null;
  compliance_result: string;
  /** Findings `[{ rule, level, outcome, reason }]`. */
  compliance_json: string;
  duplicate_of: string | null;
  usage_status: string;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

export type ReceivedFile = Selectable<ReceivedFileTable>;
export type ReceivedInvoice = Selectable<ReceivedInvoiceTable>;

/**
 * A blob intake wrote before the transaction that records its file (migration 0039): deleted by that transaction, or
 * by the orphan sweep once older than the grace period when no file row references the blob (intake crashed).
 */
export interface ReceivedBlobClaimTable {
  sha256: string;
  /** When the intake in flight claimed it, or last touched it (epoch ms). */
  claimed_at: number;
}

export interface CollectionTables {
  received_blob_claims: ReceivedBlobClaimTable;
  received_files: ReceivedFileTable;
  received_invoices: ReceivedInvoiceTable;
}
