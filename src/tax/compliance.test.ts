import { describe, expect, it } from 'vitest';
import {
  type ComplianceFacts,
  type ComplianceRuleId,
  type ComplianceRules,
  defaultComplianceRules,
  evaluateCompliance,
  looksLikePersonName,
  normalizeCompanyName,
} from './compliance.js';

const ORG = { name: '上海云票信息技术（集团）有限公司', taxId: '91310000MA1FL0TEST' };

function facts(
  invoice: Partial<ComplianceFacts['invoice']> = {},
  more: Partial<ComplianceFacts> = {},
): ComplianceFacts {
  return {
    today: '2026-12-02',
    invoice: {
      kind: '82',
      issueDate: '2026-11-20',
      sellerTaxId: '91330100MA2H3LL62A',
      buyerName: ORG.name,
      buyerTaxId: ORG.taxId,
      total: '1130.00',
      verificationStatus: 'normal',
      ...invoice,
    },
    orgs: [ORG, { name: '杭州分公司', taxId: '91330100MA2H3LL000' }],
    duplicates: { sameNumber: null, sameFingerprint: null },
    ...more,
  };
}

function finding(f: ComplianceFacts, rule: ComplianceRuleId, rules: ComplianceRules = defaultComplianceRules()) {
  const found = evaluateCompliance(f, rules).findings.find((x) => x.rule === rule);
  if (!found) throw new Error(`no finding for ${rule}`);
  return found;
}

function withRule<K extends ComplianceRuleId>(rule: K, patch: Partial<ComplianceRules[K]>): ComplianceRules {
  const rules = defaultComplianceRules();
  rules[rule] = { ...rules[rule], ...patch };
  return rules;
}

describe('evaluateCompliance', () => {
  it('passes a clean invoice addressed to the tenant, every rule listed once in order', () => {
    const r = evaluateCompliance(facts(), defaultComplianceRules());
    expect(r.result).toBe('pass');
    expect(r.findings.map((f) => f.rule)).toEqual([
      'buyerName',
      'buyerTaxId',
      'personalTitle',
      'verification',
      'duplicate',
      'maxAge',
      'maxAmount',
      'sellerBlocklist',
      'kind',
    ]);
    expect(r.findings.find((f) => f.rule === 'maxAmount')).toMatchObject({ outcome: 'skip', reason: '未启用' });
  });

  it('buyerName: normalises full/half-width brackets, spaces and case; another company fails', () => {
    expect(finding(facts({ buyerName: '上海云票信息技术 (集团) 有限公司' }), 'buyerName').outcome).toBe('pass');
    expect(finding(facts({ buyerName: '上海云票信息技术(集团)有限公司　' }), 'buyerName').outcome).toBe('pass');
    const other = finding(facts({ buyerName: '北京别家科技有限公司' }), 'buyerName');
    expect(other).toMatchObject({ outcome: 'fail', level: 'block' });
    expect(other.reason).toContain('北京别家科技有限公司');
    expect(finding(facts({ buyerName: null, verificationStatus: 'pending' }), 'buyerName').outcome).toBe('skip');
    expect(finding(facts({ buyerName: null }), 'buyerName').outcome).toBe('fail');
    expect(normalizeCompanyName('ＡＢＣ（上海）')).toBe('abc(上海)');
  });

  it('buyerTaxId: one of the orgs (case, spaces), else fail', () => {
    expect(finding(facts({ buyerTaxId: '91310000ma1fl0test ' }), 'buyerTaxId').outcome).toBe('pass');
    expect(finding(facts({ buyerTaxId: '91330100MA2H3LL000' }), 'buyerTaxId').outcome).toBe('pass');
    expect(finding(facts({ buyerTaxId: '911100006000373411' }), 'buyerTaxId')).toMatchObject({ outcome: 'fail' });
    expect(finding(facts({ buyerTaxId: null }), 'buyerTaxId').outcome).toBe('fail');
    expect(finding(facts({ buyerTaxId: '', verificationStatus: 'pending' }), 'buyerTaxId').outcome).toBe('skip');
  });

  it('personalTitle: 个人, a person name or no tax id fail; companies pass', () => {
    expect(finding(facts({ buyerName: '个人', buyerTaxId: null }), 'personalTitle').outcome).toBe('fail');
    expect(finding(facts({ buyerName: '张三', buyerTaxId: null }), 'personalTitle').outcome).toBe('fail');
    expect(finding(facts({ buyerName: '欧阳娜娜' }), 'personalTitle').reason).toContain('个人');
    expect(finding(facts({ buyerName: '某某公司', buyerTaxId: null }), 'personalTitle').reason).toContain('无税号');
    expect(finding(facts(), 'personalTitle').outcome).toBe('pass');
    expect(looksLikePersonName('华为')).toBe(true);
    expect(looksLikePersonName('美团酒店')).toBe(false);
    expect(looksLikePersonName('个人（李四）')).toBe(true);
    expect(looksLikePersonName('上海云票信息技术有限公司')).toBe(false);
  });

  it('verification: normal and partly red pass, pending skips, every other status fails with its Chinese name', () => {
    expect(finding(facts(), 'verification').outcome).toBe('pass');
    expect(finding(facts({ verificationStatus: 'partly_red' }), 'verification')).toMatchObject({
      outcome: 'pass',
      reason: '查验结果：部分红冲（可报销金额已扣除红冲部分）',
    });
    expect(finding(facts({ verificationStatus: 'pending' }), 'verification').outcome).toBe('skip');
    expect(finding(facts({ verificationStatus: 'red_reversed' }), 'verification')).toMatchObject({
      outcome: 'fail',
      reason: '查验结果：已红冲',
    });
    expect(finding(facts({ verificationStatus: 'not_found' }), 'verification').reason).toContain('查无此票');
    expect(finding(facts({ verificationStatus: 'void' }), 'verification').outcome).toBe('fail');
  });

  it('duplicate: each kind of duplicate fails when its parameter is on, and only then', () => {
    const dup = (d: Partial<ComplianceFacts['duplicates']>) =>
      facts({}, { duplicates: { sameNumber: null, sameFingerprint: null, ...d } });
    expect(finding(dup({ sameNumber: 'rcv_1' }), 'duplicate')).toMatchObject({ outcome: 'fail' });
    expect(finding(dup({ sameNumber: 'rcv_1' }), 'duplicate').reason).toContain('rcv_1');
    expect(finding(dup({ sameFingerprint: 'rcv_2' }), 'duplicate').reason).toContain('价税合计');
    const off = withRule('duplicate', { params: { sameNumber: false, sameFingerprint: true } });
    expect(finding(dup({ sameNumber: 'rcv_1' }), 'duplicate', off).outcome).toBe('pass');
    expect(finding(dup({ sameFingerprint: 'rcv_2' }), 'duplicate', off).outcome).toBe('fail');
    expect(evaluateCompliance(dup({ sameFingerprint: 'rcv_2' }), defaultComplianceRules()).result).toBe('block');
    // No "same file" duplicate: the same file is never a second item (intake is idempotent by content hash).
    expect(Object.keys(defaultComplianceRules().duplicate.params)).toEqual(['sameNumber', 'sameFingerprint']);
  });

  it('maxAge: older than N days by issue date fails (warn by default); missing date skips', () => {
    expect(finding(facts({ issueDate: '2025-12-07' }), 'maxAge').outcome).toBe('pass'); // 360 days exactly
    const old = finding(facts({ issueDate: '2025-12-06' }), 'maxAge');
    expect(old).toMatchObject({ outcome: 'fail', level: 'warn' });
    expect(evaluateCompliance(facts({ issueDate: '2025-01-01' }), defaultComplianceRules()).result).toBe('warn');
    expect(
      finding(facts({ issueDate: '2026-11-01' }), 'maxAge', withRule('maxAge', { params: { days: 10 } })).outcome,
    ).toBe('fail');
    expect(finding(facts({ issueDate: null }), 'maxAge').outcome).toBe('skip');
  });

  it('maxAmount: total above the threshold fails, equal passes (decimal, not float)', () => {
    const rules = withRule('maxAmount', { enabled: true, level: 'block', params: { amount: '1130.00' } });
    expect(finding(facts(), 'maxAmount', rules).outcome).toBe('pass');
    expect(finding(facts({ total: '1130.01' }), 'maxAmount', rules)).toMatchObject({ outcome: 'fail', level: 'block' });
    expect(evaluateCompliance(facts({ total: '1130.01' }), rules).result).toBe('block');
    expect(finding(facts({ total: null }), 'maxAmount', rules).outcome).toBe('skip');
  });

  it('sellerBlocklist: a listed seller tax id fails (case-insensitive)', () => {
    const rules = withRule('sellerBlocklist', { params: { taxIds: ['91330100ma2h3ll62a'] } });
    expect(finding(facts(), 'sellerBlocklist', rules).outcome).toBe('fail');
    expect(finding(facts(), 'sellerBlocklist').outcome).toBe('pass');
    expect(finding(facts({ sellerTaxId: null }), 'sellerBlocklist', rules).outcome).toBe('skip');
  });

  it('kind: a kind outside the accepted list fails; other is refused by default', () => {
    expect(finding(facts({ kind: 'other' }), 'kind')).toMatchObject({ outcome: 'fail', level: 'warn' });
    const rules = withRule('kind', { params: { accepted: ['81'] } });
    expect(finding(facts({ kind: '82' }), 'kind', rules).outcome).toBe('fail');
    expect(finding(facts({ kind: '81' }), 'kind', rules).outcome).toBe('pass');
  });

  it('result: block beats warn, warn beats pass; a disabled rule never fails', () => {
    const f = facts({ buyerName: '北京别家科技有限公司', issueDate: '2020-01-01' });
    expect(evaluateCompliance(f, defaultComplianceRules()).result).toBe('block');
    const rules = withRule('buyerName', { level: 'warn' });
    expect(evaluateCompliance(f, rules).result).toBe('warn');
    const off = withRule('buyerName', { enabled: false });
    off.maxAge.enabled = false;
    expect(evaluateCompliance(f, off).result).toBe('pass');
  });
});
