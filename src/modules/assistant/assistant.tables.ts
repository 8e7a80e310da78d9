import type { Selectable } from 'kysely';

/**
 * Tables of the assistant module (issue #15, migration 0030; docs/assistant.md). Money in integer fen. Times epoch ms.
 */

/** How an expense system wants imports delivered (`pushType` of an event). */
export const PUSH_TYPES = ['socket', 'poll'] as const;
export type PushType = (typeof PUSH_TYPES)[number];

/**
 * A bill's status as expense systems send it: 未用 / 在用 / 已用 (Kingdee 1 / 30 / 60), stored by name.
 */
export const BILL_STATUSES = ['unused', 'in_use', 'used'] as const;
export type BillStatus = (typeof BILL_STATUSES)[number];

/**
 * An employee who collects invoices: known to an expense system by its own user id (`external_id`, the assistant's
 * `userId`) and/or a console user (`user_id`, role 员工 or any other). Unique per tenant by each.
 */
export interface EmployeeTable {
  id: string;
  tenant_id: string;
  external_id: string | null;
  user_id: string | null;
  name: string | null;
  created_at: number;
  updated_at: number;
}

/** 个人票夹: which employee a received invoice belongs to (one owner per item; hand-over moves it). */
export interface FolderItemTable {
  tenant_id: string;
  received_invoice_id: string;
  employee_id: string;
  added_at: number;
  /** The employee who handed it over, when it was. */
  handed_over_from: string | null;
  handed_over_at: number | null;
}

/**
 * An event code (事件码) opening the assistant pages for one bill (unique per tenant + resource + billId; a new code
 * for the same bill replaces the row's hash and expiry, so the previous code stops working). Only the SHA-256 of the
 * code is stored. `resource` is the code of one of the tenant's business systems.
 */
export interface AssistantEventTable {
  id: string;
  tenant_id: string;
  code_hash: string;
  business_system_id: string;
  resource: string;
  bill_id: string;
  bill_no: string | null;
  bill_type: string | null;
  bill_tax_no: string | null;
  /** The expense system's user id (as sent). */
  user_id: string;
  employee_id: string;
  link_key: string;
  push_type: PushType;
  /** `[{ taxNo, name }]`: the buyer(s) the bill expects (compliance of the pages checks against them). */
  company_json: string;
  /** Who asked for the code (API app id / user id). */
  created_by: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
}

/**
 * One 导入单据 from the assistant pages: the push payload `{invoiceData, attachData}` waiting for the expense system on
 * its `link_key`, consumed exactly once (WebSocket or long-poll, whichever claims it first; `consumed_at` set by a
 * conditional update), kept until `expires_at` otherwise.
 */
export interface AssistantImportTable {
  id: string;
  tenant_id: string;
  event_id: string;
  link_key: string;
  payload_json: string;
  invoice_count: number;
  created_at: number;
  expires_at: number;
  consumed_at: number | null;
  /** `socket` | `poll` and the node that delivered it. */
  consumed_by: string | null;
}

/** A bill (单据) of an expense system, unique per tenant + resource + billId; saving replaces its bindings. */
export interface BillTable {
  id: string;
  tenant_id: string;
  business_system_id: string | null;
  resource: string;
  bill_id: string;
  bill_no: string | null;
  bill_type: string | null;
  bill_tax_no: string | null;
  status: BillStatus;
  /** The bill's cover (封面) as sent, JSON. */
  cover_json: string | null;
  /** Invoices found red-reversed or void after binding: `[{ invoiceId, status, at }]`. */
  alerts_json: string | null;
  invoice_count: number;
  claimed_fen: number;
  created_at: number;
  updated_at: number;
}

/** A received invoice bound to a bill with the amount claimed on it (and the expense system's own line data). */
export interface BillInvoiceTable {
  tenant_id: string;
  bill_pk: string;
  received_invoice_id: string;
  amount_fen: number;
  deduction_flag: string | null;
  deduction_tax_fen: number | null;
  output_amount_fen: number | null;
  remark: string | null;
  entry_id: string | null;
  ext_json: string | null;
  created_at: number;
}

/**
 * The claim counter of one received invoice: what all bills together claim of it. A bill save changes
 * `claimed_fen` by a conditional single-statement update (`… where claimed_fen + delta <= total_fen`), so concurrent
 * saves from different bills can never claim more than the total (docs/architecture.md: no lock across a round trip).
 */
export interface InvoiceClaimTable {
  tenant_id: string;
  received_invoice_id: string;
  total_fen: number;
  claimed_fen: number;
  bill_count: number;
  updated_at: number;
}

/** A voucher (凭证) booking invoices (已入账), unique per tenant + resource + vouchId. */
export interface VoucherTable {
  id: string;
  tenant_id: string;
  business_system_id: string | null;
  resource: string;
  vouch_id: string;
  vouch_no: string | null;
  /** YYYY-MM (会计期间) or YYYY-MM-DD, as sent. */
  account_date: string | null;
  account_time: string | null;
  business_date: string | null;
  invoice_count: number;
  created_at: number;
  updated_at: number;
}

/** An invoice booked by a voucher; an invoice is booked by at most one voucher. */
export interface VoucherInvoiceTable {
  tenant_id: string;
  voucher_pk: string;
  received_invoice_id: string;
  /** The bill through which it was booked, when `billIds` brought it. */
  bill_pk: string | null;
}

export type Employee = Selectable<EmployeeTable>;
export type AssistantEvent = Selectable<AssistantEventTable>;
export type AssistantImport = Selectable<AssistantImportTable>;
export type Bill = Selectable<BillTable>;
export type BillInvoice = Selectable<BillInvoiceTable>;
export type Voucher = Selectable<VoucherTable>;

export interface AssistantTables {
  employees: EmployeeTable;
  folder_items: FolderItemTable;
  assistant_events: AssistantEventTable;
  assistant_imports: AssistantImportTable;
  bills: BillTable;
  bill_invoices: BillInvoiceTable;
  invoice_claims: InvoiceClaimTable;
  vouchers: VoucherTable;
  voucher_invoices: VoucherInvoiceTable;
}
