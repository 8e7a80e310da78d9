/**
 * Tables of the sandbox's 抵扣勾选 (deduction selection): platform-wide like the real platform's records (keyed by
 * the invoice, not by tenant), so a second buyer — in any tenant — cannot select an invoice another buyer holds.
 * Money integer fen, time epoch ms. Owned by the sandbox channel: no other module reads them.
 */

/** One invoice selected (or, once its period is confirmed, deducted) by a buyer. One row per invoice. */
export interface SandboxDeductionTable {
  /** `{code}:{number}` (code '' for 数电): the platform's identity of the invoice. */
  invoice_key: string;
  kind: string;
  code: string;
  number: string;
  buyer_tax_id: string;
  /** 所属期 YYYYMM. */
  period: string;
  /** Who selected it: the tenant, its id of the invoice (received-invoice id), and the user or app. */
  tenant_id: string;
  ref: string;
  actor: string;
  tax_fen: number;
  /** 0 when inserted, +1 per change of the tax (tells a new selection from a repeated one). */
  revision: number;
  selected_at: number;
  updated_at: number;
}

/** A confirmed (locked) period of a buyer: nothing can be selected or unselected in it any more. */
export interface SandboxDeductionPeriodTable {
  buyer_tax_id: string;
  period: string;
  tenant_id: string;
  actor: string;
  confirmed_at: number;
}

export interface SandboxDeductionTables {
  sandbox_deductions: SandboxDeductionTable;
  sandbox_deduction_periods: SandboxDeductionPeriodTable;
}
