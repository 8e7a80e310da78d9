import { describe, expect, it } from 'vitest';
import {
  countDecimalPlaces,
  fenToDecimalString,
  formatMoney,
  isDecimalString,
  parseDecimal,
  roundHalfUp,
  toFen,
} from './decimal.js';

describe('decimal helpers', () => {
  it('accepts only plain decimal strings', () => {
    expect(['0', '117.00', '-0.5', '3'].every(isDecimalString)).toBe(true);
    expect([117, '1e3', '+1', '.5', '1.', ' 1', '01', '13%', ''].some(isDecimalString)).toBe(false);
    expect(parseDecimal('1e3')).toBeNull();
  });

  it('rounds half-up, away from zero on ties', () => {
    expect(roundHalfUp('2.345').toFixed(2)).toBe('2.35');
    expect(roundHalfUp('-2.345').toFixed(2)).toBe('-2.35');
    expect(roundHalfUp('2.3449').toFixed(2)).toBe('2.34');
    expect(formatMoney('88.5')).toBe('88.50');
    expect(formatMoney('-0.001')).toBe('0.00');
  });

  it('converts to and from fen exactly', () => {
    expect(toFen('1.1')).toBe(110);
    expect(toFen('0.29')).toBe(29); // 0.29 * 100 is 28.999999999999996 in floats
    expect(toFen('-0.05')).toBe(-5);
    expect(fenToDecimalString(12345)).toBe('123.45');
    expect(fenToDecimalString(-5)).toBe('-0.05');
    expect(() => toFen('99999999999999999')).toThrow(RangeError);
    expect(() => fenToDecimalString(0.5)).toThrow(RangeError);
    expect(countDecimalPlaces('1.230')).toBe(3);
  });
});
