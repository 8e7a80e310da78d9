import { describe, expect, it } from 'vitest';
import { defaultComplianceRules, evaluateCompliance } from './compliance.js';
import {
  isReverified,
  RECEIVED_VERIFICATION_STATUSES,
  VERIFICATION_STATUS_NAMES,
  verificationStatusName,
} from './verification-statuses.js';

describe('verification statuses (one list, one set of names)', () => {
  it('names every status, and the compliance reason uses the same name', () => {
    for (const s of RECEIVED_VERIFICATION_STATUSES) expect(VERIFICATION_STATUS_NAMES[s]).toMatch(/^[\u4e00-\u9fff]+$/);
    expect(verificationStatusName('unverifiable')).toBe('无法查验');
    expect(verificationStatusName('nope')).toBe('nope');
    const facts = {
      today: '2025-06-01',
      invoice: {
        kind: '82',
        issueDate: '2025-05-01',
        sellerTaxId: null,
        buyerName: null,
        buyerTaxId: null,
        total: '1.00',
        verificationStatus: 'unverifiable',
      },
      orgs: [],
      duplicates: { sameNumber: null, sameFingerprint: null },
    };
    const finding = evaluateCompliance(facts, defaultComplianceRules()).findings.find((f) => f.rule === 'verification');
    expect(finding?.reason).toBe(`查验结果：${VERIFICATION_STATUS_NAMES.unverifiable}`);
  });
});

describe('re-verification', () => {
  it('re-verifies only the verdicts a later verification can change (正常, 部分红冲)', () => {
    expect(RECEIVED_VERIFICATION_STATUSES.filter(isReverified)).toEqual(['normal', 'partly_red']);
  });
});
