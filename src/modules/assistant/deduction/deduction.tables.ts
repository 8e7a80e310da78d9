/**
 * Tables of 抵扣勾选 (deduction selection) on the tenant's side (docs/deduction.md): each received invoice's
 * deduction state per buyer org, and each buyer org's periods. The platform's own record is the deduction channel's
 * (the sandbox: `sandbox_deductions`). Money integer fen, time epoch ms.
 */

/** Deduction states of a received invoice (no row = a candidate). */
export const DEDUCTION_STATUSES = ['selected', 'not_deductible', 'confirmed'] as const;
export type DeductionStatus = (typeof DEDUCTION_STATUSES)[number];

/** One received invoice's deduction state (at most one per invoice): selected or confirmed in a period, or 不抵扣. */
export interface DeductionSelectionTable {
  tenant_id: string;
  received_invoice_id: string;
  buyer_tax_id: string;
  /** 所属期 YYYYMM; null for not_deductible. */
  period: string | null;
  status: DeductionStatus;
  /** The invoice as selected (exports and statistics read these; the pool may change later). */
  kind: string;
  code: string | null;
  number: string | null;
  issue_date: string | null;
  seller_name: string | null;
  seller_tax_id: string | null;
  amount_fen: number | null;
  /** The full deductible tax (printed, or computed for transport tickets); null for not_deductible. */
  full_tax_fen: number | null;
  /** The effective deductible tax (≤ full; below it only where partial deduction is allowed). */
  tax_fen: number | null;
  /** printed | computed. */
  tax_basis: string | null;
  /** 不抵扣 reason. */
  reason: string | null;
  /** Who made the change (username or appId). */
  actor: string;
  created_at: number;
  updated_at: number;
}

/** A buyer org's 所属期: open until confirmed (确认勾选), then locked. No row = open. */
export interface DeductionPeriodTable {
  tenant_id: string;
  buyer_tax_id: string;
  period: string;
  state: 'open' | 'confirmed';
  confirmed_by: string | null;
  confirmed_at: number | null;
  /** What the platform counted at confirmation. */
  count: number;
  tax_fen: number;
  updated_at: number;
}

export interface DeductionTables {
  deduction_selections: DeductionSelectionTable;
  deduction_periods: DeductionPeriodTable;
}
