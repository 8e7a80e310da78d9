import { describe, expect, it } from 'vitest';
import { isValidResidentId } from './resident-id.js';
import { classifyTaxId } from './tax-id.js';
import { checkTaxId, checkUsccOrgCode, computeOrgCodeCheckChar, computeUsccCheckChar, isValidUscc } from './uscc.js';

const REAL_IDS = [
  '91110000600037341L',
  '91330100MA2H3LL62A',
  '915300007194052520',
  '9153000077859986X2',
  '91440101753491772B',
  '91441721MA56R6304Q',
  '91510113MA6739XPX2',
  '91110108MA019HQRX9',
  '52310106751466629W',
];

describe('USCC (tax-rules §7.3)', () => {
  it('computes the worked examples (S = 538 → L, S = 2067 → A, S = 930 → 0)', () => {
    expect(computeUsccCheckChar('91110000600037341')).toBe('L');
    expect(computeUsccCheckChar('91330100MA2H3LL62')).toBe('A');
    expect(computeUsccCheckChar('91530000719405252')).toBe('0');
  });

  it('accepts the real ids and refuses the documented typo', () => {
    expect(REAL_IDS.every(isValidUscc)).toBe(true);
    expect(isValidUscc('91500105MAC35KKR6G')).toBe(false);
    expect(isValidUscc('91110000600037341l')).toBe(false);
  });

  it('inner 组织机构代码 check passes on the real ids (tax-rules §7.4, 600037341 → 1)', () => {
    expect(computeOrgCodeCheckChar('60003734')).toBe('1');
    expect(REAL_IDS.map(checkUsccOrgCode)).toEqual(REAL_IDS.map(() => true));
    expect(checkUsccOrgCode('91110000600037342X')).toBe(false);
  });

  it('keeps checkTaxId behaviour: 18 chars must be a USCC, 15/17/20 on format only', () => {
    expect(checkTaxId(' 91110000600037341l ')).toEqual({ ok: true, kind: 'uscc' });
    expect(checkTaxId('110105194912310021')).toEqual({ ok: false, reason: 'check_char' });
    expect(checkTaxId('32040419760706081301')).toEqual({ ok: true, kind: 'legacy' });
    expect(checkTaxId('1234')).toEqual({ ok: false, reason: 'format' });
  });
});

describe('classifyTaxId (tax-rules §7.5)', () => {
  it('accepts a valid 18-digit 身份证 when it is not a USCC', () => {
    expect(isValidResidentId('11010519491231002X')).toBe(true);
    expect(isValidResidentId('110105194913310021')).toBe(false);
    expect(classifyTaxId('11010519491231002X')).toEqual({ ok: true, kind: 'resident_id', warnings: [] });
    expect(classifyTaxId('11010519491231002X', { allowResidentId: false })).toEqual({
      ok: false,
      reason: 'check_char',
    });
  });

  it('classifies legacy lengths and refuses lowercase or spaces', () => {
    expect(classifyTaxId('32040419760706081301')).toMatchObject({ ok: true, kind: 'legacy' });
    expect(classifyTaxId('110105600037341')).toMatchObject({ ok: true, kind: 'legacy' });
    expect(classifyTaxId('91110000600037341l')).toEqual({ ok: false, reason: 'format' });
    expect(classifyTaxId('9150010807MGZHI002')).toEqual({ ok: false, reason: 'format' });
  });

  it('warns when the inner org code fails but the USCC check passes', () => {
    const first17 = '9111000060003734X';
    const uscc = `${first17}${computeUsccCheckChar(first17)}`;
    expect(classifyTaxId(uscc)).toEqual({ ok: true, kind: 'uscc', warnings: ['ORG_CODE_CHECK_FAILED'] });
  });
});
