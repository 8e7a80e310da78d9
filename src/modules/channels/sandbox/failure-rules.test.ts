import { describe, expect, it } from 'vitest';
import { type CallFacts, drawRandomFailure, matchingRuleIndexes, ruleMatches } from './failure-rules.js';
import { DEFAULT_SANDBOX_SETTINGS, mergeSettings, parseStoredSettings } from './sandbox-settings.js';

const facts: CallFacts = {
  operation: 'issue',
  buyerName: '测试故障购买方有限公司',
  sellerTaxId: '91110000600037341L',
  kind: '82',
  amount: '1000.00',
};

describe('ruleMatches', () => {
  it('matches when every given condition holds', () => {
    expect(ruleMatches({ when: { buyerNameContains: '故障', kind: '82' }, fail: 'transient' }, facts)).toBe(true);
    expect(ruleMatches({ when: {}, fail: 'transient' }, facts)).toBe(true);
  });

  it('fails on any condition that does not hold', () => {
    expect(ruleMatches({ when: { buyerNameContains: '正常' }, fail: 'transient' }, facts)).toBe(false);
    expect(ruleMatches({ when: { kind: '81' }, fail: 'transient' }, facts)).toBe(false);
    expect(ruleMatches({ when: { sellerTaxId: '91330100MA2H3LL62A' }, fail: 'transient' }, facts)).toBe(false);
  });

  it('compares amounts as decimals, strictly greater', () => {
    expect(ruleMatches({ when: { amountGreaterThan: '999.99' }, fail: 'permanent' }, facts)).toBe(true);
    expect(ruleMatches({ when: { amountGreaterThan: '1000' }, fail: 'permanent' }, facts)).toBe(false);
  });

  it('applies to issue by default and to red forms only when asked', () => {
    const red = { ...facts, operation: 'apply_red_form' as const };
    expect(ruleMatches({ when: {}, fail: 'transient' }, red)).toBe(false);
    expect(ruleMatches({ when: { operation: 'apply_red_form' }, fail: 'transient' }, red)).toBe(true);
  });

  it('lists matching rules in order', () => {
    const rules = [
      { when: { kind: '81' }, fail: 'permanent' as const },
      { when: { kind: '82' }, fail: 'transient' as const, times: 2 },
      { when: {}, fail: 'permanent' as const },
    ];
    expect(matchingRuleIndexes(rules, facts)).toEqual([1, 2]);
  });
});

describe('drawRandomFailure', () => {
  const rates = { transientFailureRate: 0.3, permanentFailureRate: 0.5 };

  it('draws transient first, then permanent', () => {
    expect(drawRandomFailure(rates, () => 0.1)).toBe('transient');
    const draws = [0.9, 0.2];
    expect(drawRandomFailure(rates, () => draws.shift() ?? 1)).toBe('permanent');
    expect(drawRandomFailure(rates, () => 0.99)).toBeNull();
  });

  it('never fails with zero rates, even when random returns 0', () => {
    expect(drawRandomFailure({ transientFailureRate: 0, permanentFailureRate: 0 }, () => 0)).toBeNull();
  });
});

describe('settings', () => {
  it('merges a patch and validates it', () => {
    const merged = mergeSettings(DEFAULT_SANDBOX_SETTINGS, { latencyMs: 200, quotaBasis: 'total' });
    expect(merged).toMatchObject({ ok: true, settings: { latencyMs: 200, quotaBasis: 'total', rules: [] } });
    expect(mergeSettings(DEFAULT_SANDBOX_SETTINGS, { transientFailureRate: 1.5 }).ok).toBe(false);
    expect(mergeSettings(DEFAULT_SANDBOX_SETTINGS, { rules: [{ when: {}, fail: 'transient', times: 0 }] }).ok).toBe(
      false,
    );
  });

  it('falls back to defaults for a missing or broken row', () => {
    expect(parseStoredSettings(null)).toEqual(DEFAULT_SANDBOX_SETTINGS);
    expect(parseStoredSettings('{oops')).toEqual(DEFAULT_SANDBOX_SETTINGS);
    expect(parseStoredSettings('{"latencyMs":5,"extra":1}')).toEqual({ ...DEFAULT_SANDBOX_SETTINGS, latencyMs: 5 });
  });
});
