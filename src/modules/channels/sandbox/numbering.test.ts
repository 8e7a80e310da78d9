import { describe, expect, it } from 'vitest';
import { legacyVerificationTypeOfCode, toVerificationType } from '../../../tax/index.js';
import {
  chinaDateParts,
  chinaMonthStart,
  composeLegacyInvoiceCode,
  composeLegacyInvoiceNumber,
  composeRedFormNo,
  deriveCheckCode,
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
