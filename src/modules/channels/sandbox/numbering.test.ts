import { describe, expect, it } from 'vitest';
import { INVOICE_KINDS, legacyVerificationTypeOfCode, toVerificationType } from '../../../tax/index.js';
import {
  chinaDateParts,
  chinaMonthStart,
  composeInvoiceNumber,
  composeLegacyInvoiceCode,
  composeLegacyInvoiceNumber,
  composeRedFormNo,
  deriveCheckCode,
  numberPlan,
  sellerRegion,
} from './numbering.js';

describe('chinaDateParts', () => {
  it('uses UTC+8: 2025-12-31T16:30Z is already 2026-01-01 in China', () => {
    expect(chinaDateParts(Date.parse('2025-12-31T16:30:00Z'))).toEqual({
      year: 2026,
      month: '2026-01',
      date: '2026-01-01',
      yymmdd: '260101',
    });
  });

  it('maps a month back to its China-time start', () => {
    expect(chinaMonthStart('2025-06')).toBe(Date.parse('2025-05-31T16:00:00Z'));
  });
});

describe('sellerRegion', () => {
  it('prefers the org region code and falls back to USCC characters 3–8', () => {
    expect(sellerRegion('440300', '91110000600037341L')).toBe('440300');
    expect(sellerRegion(null, '91110000600037341L')).toBe('110000');
    expect(sellerRegion('44', 'ABCDEFGHIJKLMNOPQR')).toBeNull();
  });
});

describe('composeLegacyInvoiceCode', () => {
  it.each(['004', '007', '025', '026', '028'] as const)('%s maps back to its 查验 type through alxd', (kind) => {
    const code = composeLegacyInvoiceCode(kind, '310101', 2025);
    expect(code).toMatch(kind === '004' ? /^3101250133$/ : /^0310125000\d{2}$/);
    expect(legacyVerificationTypeOfCode(code)).toBe(toVerificationType(kind));
  });

  it('refuses 数电 kinds', () => {
    expect(() => composeLegacyInvoiceCode('81', '310101', 2025)).toThrow(RangeError);
  });
});

describe('legacy numbers and check codes', () => {
  it('pads to 8 digits and refuses 0 and overflow', () => {
    expect(composeLegacyInvoiceNumber(42)).toBe('00000042');
    expect(() => composeLegacyInvoiceNumber(0)).toThrow(RangeError);
    expect(() => composeLegacyInvoiceNumber(100_000_000)).toThrow(RangeError);
  });

  it('derives a stable 20-digit check code', () => {
    expect(deriveCheckCode('a')).toMatch(/^\d{20}$/);
    expect(deriveCheckCode('a')).toBe(deriveCheckCode('a'));
    expect(deriveCheckCode('a')).not.toBe(deriveCheckCode('b'));
  });
});

describe('composeRedFormNo', () => {
  it('is region + YYMMDD (China time) + 8-digit sequence, 20 characters', () => {
    const no = composeRedFormNo('110108', Date.parse('2024-09-09T17:00:00Z'), 2615708);
    expect(no).toBe('11010824091002615708');
    expect(no).toHaveLength(20);
  });

  it('refuses a bad region or sequence', () => {
    expect(() => composeRedFormNo('1101', 0, 1)).toThrow(RangeError);
    expect(() => composeRedFormNo('110108', 0, 0)).toThrow(RangeError);
  });
});

describe('numberPlan', () => {
  it('prefix + zero-padded sequence (what the one-statement issue composes in SQL) is the number src/tax composes', () => {
    for (const kind of INVOICE_KINDS) {
      const plan = numberPlan(kind, '440305', 2025);
      for (const sequence of [1, 42, 99_999_999]) {
        expect(plan.prefix + String(sequence).padStart(plan.width, '0')).toBe(composeInvoiceNumber(plan, sequence));
      }
    }
  });

  it('draws 数电 numbers from one sequence per (yy, province, channel) and legacy ones per 发票代码', () => {
    expect(numberPlan('82', '440305', 2025)).toMatchObject({ scope: 'digital:25:44', prefix: '25442', width: 15 });
    expect(numberPlan('81', '310101', 2026).scope).toBe('digital:26:31');
    const legacy = numberPlan('007', '440305', 2025);
    expect(legacy).toMatchObject({ scope: `legacy:${legacy.code}`, prefix: '', width: 8 });
    expect(legacy.code).toMatch(/^\d{12}$/);
  });
});
