import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { amountInWords } from './amount-in-words.js';

const DIGITS = '零壹贰叁肆伍陆柒捌玖';

/** Independent reader of our words back to fen (test oracle). */
function wordsToFen(words: string): bigint {
  const negative = words.startsWith('（负数）');
  const text = (negative ? words.slice(4) : words).replace(/整$/, '');
  const [integerPart = '', fractionPart = ''] = text.includes('圆') ? text.split('圆') : ['', text];
  const jiao = /(.)角/.exec(fractionPart);
  const fen = /(.)分/.exec(fractionPart);
  const cents =
    BigInt(jiao ? DIGITS.indexOf(jiao[1] as string) * 10 : 0) + BigInt(fen ? DIGITS.indexOf(fen[1] as string) : 0);
  const value = readInteger(integerPart.replaceAll('万亿', 'Z')) * 100n + cents;
  return negative ? -value : value;
}

function readInteger(text: string): bigint {
  for (const [unit, scale] of [
    ['Z', 10n ** 12n],
    ['亿', 10n ** 8n],
    ['万', 10n ** 4n],
  ] as const) {
    const at = text.indexOf(unit);
    if (at >= 0) return readInteger(text.slice(0, at)) * scale + readInteger(text.slice(at + 1));
  }
  let value = 0n;
  let digit = 0n;
  for (const char of text) {
    const d = DIGITS.indexOf(char);
    if (d > 0) digit = BigInt(d);
    const unit = { 拾: 10n, 佰: 100n, 仟: 1000n }[char];
    if (unit) {
      value += digit * unit;
      digit = 0n;
    }
  }
  return value + digit;
}

describe('amountInWords', () => {
  it.each([
    // tax-rules §5.8 real strings
    ['468.00', '肆佰陆拾捌圆整'],
    ['85.86', '捌拾伍圆捌角陆分'],
    ['262.79', '贰佰陆拾贰圆柒角玖分'],
    ['101.73', '壹佰零壹圆柒角叁分'],
    ['1160.00', '壹仟壹佰陆拾圆整'],
    // brief examples and zero handling
    ['100.00', '壹佰圆整'],
    ['1005.20', '壹仟零伍圆贰角'],
    ['100000000.01', '壹亿圆零壹分'],
    ['0', '零圆整'],
    ['0.05', '伍分'],
    ['0.50', '伍角'],
    ['10.05', '壹拾圆零伍分'],
    ['1010.00', '壹仟零壹拾圆整'],
    ['100010.00', '壹拾万零壹拾圆整'],
    ['100001000', '壹亿零壹仟圆整'],
    ['20000.01', '贰万圆零壹分'],
    ['31605.00', '叁万壹仟陆佰零伍圆整'],
    ['4449.00', '肆仟肆佰肆拾玖圆整'],
    ['1000000000000000', '壹仟万亿圆整'],
    // tax-rules §8.1 item 6: red amounts
    ['-500.00', '（负数）伍佰圆整'],
    ['-0.00', '零圆整'],
  ])('%s → %s', (amount, words) => {
    expect(amountInWords(amount)).toBe(words);
  });

  it('can append 整 after 角 when configured', () => {
    expect(amountInWords('1005.20', { wholeAfterJiao: true })).toBe('壹仟零伍圆贰角整');
    expect(amountInWords('1005.25', { wholeAfterJiao: true })).toBe('壹仟零伍圆贰角伍分');
  });

  it('rounds half-up to fen and refuses more than 16 integer digits', () => {
    expect(amountInWords('0.005')).toBe('壹分');
    expect(() => amountInWords('12345678901234567')).toThrow(RangeError);
  });

  it('property: reads back to the same fen, never writes 零零, and ends in 整/角/分', () => {
    const fen = fc.bigInt({ min: -(10n ** 18n) + 1n, max: 10n ** 18n - 1n });
    fc.assert(
      fc.property(fen, (value) => {
        const abs = value < 0n ? -value : value;
        const text = `${value < 0n ? '-' : ''}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
        const words = amountInWords(text);
        expect(words).not.toContain('零零');
        expect(words).toMatch(/(整|角|分)$/);
        if (value !== 0n) expect(words).not.toMatch(/零(圆|万|亿|整|角|分)/);
        expect(words.startsWith('（负数）')).toBe(value < 0n);
        expect(wordsToFen(words)).toBe(value);
        if (abs % 100n === 0n) expect(words.endsWith('圆整')).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
