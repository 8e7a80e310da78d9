/**
 * The deduction state (抵扣状态) of a received invoice as the pool shows it, one rule for the pool's API, its export
 * and the console: the buyer's own record (selected / confirmed in a period, or marked 不抵扣 with a reason) wins;
 * without one, the invoice's facts say whether it can be selected (`deductible`), must wait for 查验 (`unverified`),
 * or can never be deducted (`not_deductible`, with the rule's reason) — by the selection's own rule (`deductionBlock`,
 * deduction.ts). Pure; docs/deduction.md#the-pool.
 */
import { deductionBlock } from './deduction.js';

export const POOL_DEDUCTION_STATUSES = ['deductible', 'unverified', 'selected', 'confirmed', 'not_deductible'] as const;
export type PoolDeductionStatus = (typeof POOL_DEDUCTION_STATUSES)[number];

/** Chinese names (pool tag, export column). */
export const POOL_DEDUCTION_STATUS_NAMES: Readonly<Record<PoolDeductionStatus, string>> = {
  deductible: '可勾选',
  unverified: '待查验',
  selected: '已勾选',
  confirmed: '已抵扣',
  not_deductible: '不抵扣',
};

/** The buyer's deduction record of an invoice (抵扣勾选), when there is one. */
export interface DeductionRecord {
  readonly status: 'selected' | 'confirmed' | 'not_deductible';
  readonly period: string | null;
  /** Effective deductible tax, decimal string (selected / confirmed). */
  readonly tax: string | null;
  /** 不抵扣 reason given by the user. */
  readonly reason: string | null;
}

/** The facts of a pool item the state is decided from. */
export interface PoolDeductionFacts {
  readonly kind: string;
  readonly issueDate: string | null;
  /** The invoice number (the selection refuses an invoice without one, so the pool must see it too). */
  readonly number: string | null;
  readonly verificationStatus: string;
  readonly isRed: boolean;
  readonly duplicate: boolean;
  readonly record: DeductionRecord | null;
}

export interface PoolDeductionState {
  readonly status: PoolDeductionStatus;
  readonly statusName: string;
  /** 所属期 YYYYMM (selected / confirmed). */
  readonly period: string | null;
  /** Effective deductible tax (selected / confirmed), decimal string. */
  readonly tax: string | null;
  /** Why it is not deductible (the user's 不抵扣 reason, or the rule's), or what it waits for. */
  readonly reason: string | null;
  /** True when the user marked it 不抵扣 (false: the rules decided). */
  readonly marked: boolean;
}

function state(
  status: PoolDeductionStatus,
  extra: Partial<Omit<PoolDeductionState, 'status' | 'statusName'>> = {},
): PoolDeductionState {
  return {
    status,
    statusName: POOL_DEDUCTION_STATUS_NAMES[status],
    period: extra.period ?? null,
    tax: extra.tax ?? null,
    reason: extra.reason ?? null,
    marked: extra.marked ?? false,
  };
}

/** The pool's deduction state of an invoice. */
export function poolDeductionState(f: PoolDeductionFacts): PoolDeductionState {
  const r = f.record;
  if (r?.status === 'selected' || r?.status === 'confirmed') return state(r.status, { period: r.period, tax: r.tax });
  if (r?.status === 'not_deductible') return state('not_deductible', { reason: r.reason, marked: true });
  // The selection's own rule (deduction.ts): 可勾选 exactly when the selection would take it in its month.
  const block = deductionBlock(f);
  if (block) return state(block.waitsForVerification ? 'unverified' : 'not_deductible', { reason: block.reason });
  return state('deductible');
}
