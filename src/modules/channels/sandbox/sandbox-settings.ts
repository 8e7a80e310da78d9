/**
 * Per-tenant settings of the simulated platform: latency, failure injection, how the simulated buyer answers red
 * forms, and the credit-quota defaults. Pure: parsing, defaults and merging; storage is in settings.repo.ts.
 */
import { isDecimalString, TaxDecimal } from '../../../tax/index.js';

/** What a matching rule does. `timeout_after_commit` records the invoice, then answers with a transient error. */
export const RULE_EFFECTS = ['transient', 'permanent', 'timeout_after_commit'] as const;
export type RuleEffect = (typeof RULE_EFFECTS)[number];

/**
 * Which channel call a rule applies to: `decide_red_form` is the simulated buyer's 确认/否认 of a red form,
 * `deduction` a 抵扣勾选 write (select, unselect, confirm). The random rates apply to the first three only.
 */
export const RULE_OPERATIONS = ['issue', 'apply_red_form', 'verify', 'decide_red_form', 'deduction'] as const;
export type RuleOperation = (typeof RULE_OPERATIONS)[number];

/** A failure-injection rule; every given `when` condition must hold. */
export interface SandboxRule {
  readonly when: {
    /** Default `issue`. */
    readonly operation?: RuleOperation;
    readonly buyerNameContains?: string;
    readonly sellerTaxId?: string;
    readonly kind?: string;
    /** Compared with the invoice's 合计金额 (不含税), decimal string. */
    readonly amountGreaterThan?: string;
  };
  readonly fail: RuleEffect;
  readonly code?: string;
  readonly message?: string;
  /** Fail only the first N matching calls, then let them through. */
  readonly times?: number;
}

export const RED_FORM_BUYER_DECISIONS = ['auto_confirm', 'auto_reject', 'manual'] as const;
export type RedFormBuyerDecision = (typeof RED_FORM_BUYER_DECISIONS)[number];

/** 授信额度 basis: 不含税金额 (tax-rules §5.7 [L] recommendation) or 价税合计. */
export const QUOTA_BASES = ['amount', 'total'] as const;
export type QuotaBasis = (typeof QUOTA_BASES)[number];

export interface SandboxSettings {
  readonly latencyMs: number;
  readonly transientFailureRate: number;
  readonly permanentFailureRate: number;
  readonly rules: readonly SandboxRule[];
  readonly redFormBuyerDecision: RedFormBuyerDecision;
  readonly quotaBasis: QuotaBasis;
  /** Monthly quota of a seller without an explicit one, yuan. */
  readonly defaultQuota: string;
}

export const DEFAULT_SANDBOX_SETTINGS: SandboxSettings = Object.freeze({
  latencyMs: 0,
  transientFailureRate: 0,
  permanentFailureRate: 0,
  rules: [],
  redFormBuyerDecision: 'auto_confirm',
  quotaBasis: 'amount',
  defaultQuota: '10000000.00',
});

/** Longest simulated latency, so a typo cannot hang a worker for hours. */
export const MAX_LATENCY_MS = 60_000;

/** Applies `patch` over `base` and checks the result; returns the problem (Chinese) or the settings. */
export function mergeSettings(
  base: SandboxSettings,
  patch: Partial<SandboxSettings>,
): { ok: true; settings: SandboxSettings } | { ok: false; problem: string } {
  const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
  const settings = { ...base, ...defined } as SandboxSettings;
  const problem = settingsProblem(settings);
  return problem ? { ok: false, problem } : { ok: true, settings };
}

function settingsProblem(s: SandboxSettings): string | null {
  if (!Number.isInteger(s.latencyMs) || s.latencyMs < 0 || s.latencyMs > MAX_LATENCY_MS)
    return `latencyMs 必须是 0 到 ${MAX_LATENCY_MS} 的整数`;
  for (const [name, rate] of [
    ['transientFailureRate', s.transientFailureRate],
    ['permanentFailureRate', s.permanentFailureRate],
  ] as const) {
    if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) return `${name} 必须在 0 到 1 之间`;
  }
  if (!(RED_FORM_BUYER_DECISIONS as readonly string[]).includes(s.redFormBuyerDecision))
    return 'redFormBuyerDecision 不正确';
  if (!(QUOTA_BASES as readonly string[]).includes(s.quotaBasis)) return 'quotaBasis 不正确';
  if (!isDecimalString(s.defaultQuota) || new TaxDecimal(s.defaultQuota).isNegative())
    return 'defaultQuota 必须是非负金额';
  return s.rules.map(ruleProblem).find((p) => p !== null) ?? null;
}

function ruleProblem(rule: SandboxRule, index: number): string | null {
  if (!(RULE_EFFECTS as readonly string[]).includes(rule.fail)) return `rules[${index}].fail 不正确`;
  if (rule.times !== undefined && (!Number.isInteger(rule.times) || rule.times < 1))
    return `rules[${index}].times 必须是正整数`;
  const threshold = rule.when.amountGreaterThan;
  if (threshold !== undefined && !isDecimalString(threshold)) return `rules[${index}].when.amountGreaterThan 不是金额`;
  return null;
}

/** Reads stored settings JSON over the defaults (unknown keys are dropped; a broken row falls back to defaults). */
export function parseStoredSettings(json: string | null | undefined): SandboxSettings {
  if (!json) return DEFAULT_SANDBOX_SETTINGS;
  try {
    const stored = JSON.parse(json) as Partial<SandboxSettings>;
    const known = Object.fromEntries(
      Object.keys(DEFAULT_SANDBOX_SETTINGS).map((k) => [k, stored[k as keyof SandboxSettings]]),
    ) as Partial<SandboxSettings>;
    const merged = mergeSettings(DEFAULT_SANDBOX_SETTINGS, known);
    return merged.ok ? merged.settings : DEFAULT_SANDBOX_SETTINGS;
  } catch {
    return DEFAULT_SANDBOX_SETTINGS;
  }
}
