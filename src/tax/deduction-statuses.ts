/**
 * The deduction state (抵扣状态) of a received invoice as the pool shows it, one rule for the pool's API, its export
 * and the console: the buyer's own record (selected / confirmed in a period, or marked 不抵扣 with a reason) wins;
 * without one, the invoice's facts say whether it can be selected (`deductible`), must wait for 查验 (`unverified`),
 * or can never be deducted (`not_deductible`, with the rule's reason). Pure; docs/deduction.md#the-pool.
 */
import { deductionCategoryOf, deductionDeadlineProblem } from './deduction.js';
import { verificationStatusName } from './verification-statuses.js';

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

/** Verification statuses that may still turn 正常 (the invoice waits rather than being refused). */
const WAITING_VERIFICATION: readonly string[] = ['pending', 'failed', 'too_many_checks', 'unverifiable'];

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
  if (deductionCategoryOf(f.kind) === null) {
    return state('not_deductible', { reason: '该票种不可抵扣（仅专票、机动车发票、通行费发票和旅客运输客票）' });
  }
  if (f.isRed) return state('not_deductible', { reason: '红字发票不可抵扣' });
  if (f.duplicate) return state('not_deductible', { reason: '重复发票' });
  const deadline = f.issueDate ? deductionDeadlineProblem(f.issueDate) : null;
  if (deadline) return state('not_deductible', { reason: deadline });
  if (f.verificationStatus !== 'normal') {
    const name = verificationStatusName(f.verificationStatus);
    return WAITING_VERIFICATION.includes(f.verificationStatus)
      ? state('unverified', { reason: `查验状态为“${name}”，查验正常后可勾选` })
      : state('not_deductible', { reason: `查验状态为“${name}”` });
  }
  return state('deductible');
}
