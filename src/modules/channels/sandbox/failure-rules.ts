/**
 * Pure failure-injection decisions: which rule matches a call, and what the random rates say. The DB-backed
 * `times` counter lives in failure-injection.ts.
 */
import { isDecimalString, TaxDecimal } from '../../../tax/index.js';
import type { RuleOperation, SandboxRule, SandboxSettings } from './sandbox-settings.js';

/** The facts of a call that rules look at. */
export interface CallFacts {
  readonly operation: RuleOperation;
  readonly buyerName: string;
  readonly sellerTaxId: string;
  readonly kind: string;
  /** 合计金额 (不含税), decimal string. */
  readonly amount: string;
}

/** True when every condition of `rule.when` holds for `facts`. */
export function ruleMatches(rule: SandboxRule, facts: CallFacts): boolean {
  const w = rule.when;
  if ((w.operation ?? 'issue') !== facts.operation) return false;
  if (w.buyerNameContains !== undefined && !facts.buyerName.includes(w.buyerNameContains)) return false;
  if (w.sellerTaxId !== undefined && w.sellerTaxId.toUpperCase() !== facts.sellerTaxId.toUpperCase()) return false;
  if (w.kind !== undefined && w.kind !== facts.kind) return false;
  if (w.amountGreaterThan !== undefined) {
    if (!isDecimalString(facts.amount) || !isDecimalString(w.amountGreaterThan)) return false;
    if (!new TaxDecimal(facts.amount).greaterThan(w.amountGreaterThan)) return false;
  }
  return true;
}

/** Indexes of the rules matching `facts`, in order (the first one not yet exhausted wins). */
export function matchingRuleIndexes(rules: readonly SandboxRule[], facts: CallFacts): number[] {
  return rules.flatMap((rule, index) => (ruleMatches(rule, facts) ? [index] : []));
}

/** The random-rate outcome: one draw for transient failures, then one for permanent ones. */
export function drawRandomFailure(
  settings: Pick<SandboxSettings, 'transientFailureRate' | 'permanentFailureRate'>,
  random: () => number,
): 'transient' | 'permanent' | null {
  if (settings.transientFailureRate > 0 && random() < settings.transientFailureRate) return 'transient';
  if (settings.permanentFailureRate > 0 && random() < settings.permanentFailureRate) return 'permanent';
  return null;
}
