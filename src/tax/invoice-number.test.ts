import { describe, expect, it } from 'vitest';
import {
  composeDigitalInvoiceNumber,
  parseDigitalInvoiceNumber,
  validateDigitalInvoiceNumber,
} from './invoice-number.js';
import {
  isValidLegacyInvoiceNumber,
  legacyVerificationTypeOfCode,
  parseLegacyInvoiceCode,
} from './legacy-invoice-code.js';

describe('数电 20-digit numbers (tax-rules §2.1)', () => {
  it.each([
    ['24312000000136634917', 2024, '31', '2', 'platform'],
    ['26442000005310626521', 2026, '44', '2', 'platform'],
    ['26317000001494790709', 2026, '31', '7', 'direct_connect'],
    ['26337904450900255091', 2026, '33', '7', 'toll'],
    ['26329116804002389322', 2026, '32', '9', 'railway'],
  ])('parses the real number %s', (number, year, region, channel, hint) => {
    expect(parseDigitalInvoiceNumber(number)).toMatchObject({ year, region, channel, hint, sequence: number.slice(5) });
  });

  it('composes yy + region + channel + 15-digit sequence', () => {
    expect(composeDigitalInvoiceNumber({ year: 2026, region: '44', channel: '2', sequence: 5310626521 })).toBe(
      '26442000005310626521',
    );
    expect(composeDigitalInvoiceNumber({ year: 24, region: '31', channel: '2', sequence: 136634917n })).toBe(
      '24312000000136634917',
    );
    expect(() => composeDigitalInvoiceNumber({ year: 2026, region: '4', channel: '2', sequence: 1 })).toThrow(
      RangeError,
    );
    expect(() => composeDigitalInvoiceNumber({ year: 2026, region: '44', channel: '2', sequence: 10n ** 15n })).toThrow(
      RangeError,
    );
  });

  it('validates format, year bounds (with an explicit now) and warns on unknown regions', () => {
    const now = new Date('2026-05-01T00:00:00+08:00');
    expect(validateDigitalInvoiceNumber('24312000000136634917', { now })).toEqual({
      ok: true,
      errors: [],
      warnings: [],
    });
    expect(validateDigitalInvoiceNumber('27312000000136634917', { now }).errors).toEqual(['year_in_future']);
    expect(validateDigitalInvoiceNumber('20312000000136634917').errors).toEqual(['year_too_early']);
    expect(validateDigitalInvoiceNumber('24992000000136634917').warnings).toEqual(['unknown_region']);
    expect(validateDigitalInvoiceNumber('2431200000013663491').errors).toEqual(['format']);
    // 2026-12-31T17:00Z is already 2027 in China.
    expect(validateDigitalInvoiceNumber('27312000000136634917', { now: new Date('2026-12-31T17:00:00Z') }).ok).toBe(
      true,
    );
  });
});

describe('legacy 发票代码/号码 (tax-rules §2.2)', () => {
  it('derives the 查验 type from real codes (STA alxd)', () => {
    expect(['033002000211', '050001700111', '032001600511', '012001800311'].map(legacyVerificationTypeOfCode)).toEqual([
      '10',
      '10',
      '10',
      '10',
    ]);
    expect(legacyVerificationTypeOfCode('144031539110')).toBe('10');
    expect(legacyVerificationTypeOfCode('031001900104')).toBe('04');
    expect(legacyVerificationTypeOfCode('031001900106')).toBe('11');
    expect(legacyVerificationTypeOfCode('031001900112')).toBe('14');
    expect(legacyVerificationTypeOfCode('031001900117')).toBe('15');
    expect(legacyVerificationTypeOfCode('131001920100')).toBe('03');
    expect(legacyVerificationTypeOfCode('031001900113')).toBe('08');
    expect(legacyVerificationTypeOfCode('3100153130')).toBe('01');
    expect(legacyVerificationTypeOfCode('3100153630')).toBe('04');
    expect(legacyVerificationTypeOfCode('3100153230')).toBe('02');
    expect(legacyVerificationTypeOfCode('3100153930')).toBe('99');
    expect(legacyVerificationTypeOfCode('12345')).toBe('99');
  });

  it('parses layout and 查验 endpoint region (计划单列市 kept)', () => {
    expect(parseLegacyInvoiceCode('033002000211')).toMatchObject({
      region: '3300',
      endpointRegion: '3300',
      printYear: '20',
    });
    expect(parseLegacyInvoiceCode('144031539110')).toMatchObject({ region: '4403', endpointRegion: '4403' });
    expect(parseLegacyInvoiceCode('3502153134')).toMatchObject({
      region: '3502',
      endpointRegion: '3502',
      amountVersion: '4',
    });
    expect(parseLegacyInvoiceCode('3101153134')).toMatchObject({ endpointRegion: '3100' });
    expect(parseLegacyInvoiceCode('31011531')).toBeNull();
  });

  it('validates 8-digit numbers, not all zeros', () => {
    expect(isValidLegacyInvoiceNumber('83089647')).toBe(true);
    expect(isValidLegacyInvoiceNumber('00000000')).toBe(false);
    expect(isValidLegacyInvoiceNumber('8308964')).toBe(false);
  });
});
