/**
 * 价税合计（大写）: an amount in Chinese financial numerals (tax-rules §5.8).
 * Currency unit 圆 (not 元) as on 数电票; 整 when there are no 角/分; one 零 for each internal run of zeros;
 * red (negative) amounts prefixed （负数）.
 */
import { roundHalfUp, TaxDecimal } from './decimal.js';

const DIGITS = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'] as const;
const IN_GROUP_UNITS = ['', '拾', '佰', '仟'] as const;
const GROUP_UNITS = ['', '万', '亿', '万亿'] as const;

/** Prefix of a negative amount in words (tax-rules §5.8, §8.1 item 6). */
export const NEGATIVE_WORDS_PREFIX = '（负数）';

/** Options of {@link amountInWords}. */
export interface AmountInWordsOptions {
  /**
   * Append 整 after 角 when 分 is 0 (e.g. 壹圆贰角整). tax-rules §5.8 says this is "common", not universal;
   * default false (壹仟零伍圆贰角) — configurable.
   */
  readonly wholeAfterJiao?: boolean;
}

/**
 * Writes an amount (decimal string, rounded half-up to fen) in Chinese words, e.g. "100.00" → 壹佰圆整,
 * "1005.20" → 壹仟零伍圆贰角, "100000000.01" → 壹亿圆零壹分, "-500" → （负数）伍佰圆整.
 * Supports up to 16 integer digits (number(18,2), tax-rules §5.5); throws a RangeError beyond.
 */
export function amountInWords(amount: string, options: AmountInWordsOptions = {}): string {
  const value = roundHalfUp(new TaxDecimal(amount));
  const [integerText = '0', fractionText = '00'] = value.abs().toFixed(2).split('.');
  if (integerText.length > 16) throw new RangeError(`amount ${amount} has more than 16 integer digits`);
  const jiao = Number(fractionText[0]);
  const fen = Number(fractionText[1]);
  const integerWords = integerText === '0' ? '' : `${integerToWords(integerText)}圆`;
  let words = integerWords;
  if (jiao === 0 && fen === 0) {
    words = `${integerWords || '零圆'}整`;
  } else {
    if (jiao > 0) words += `${DIGITS[jiao]}角`;
    // 零 between 圆 and 分 when 角 is zero: 壹圆零伍分; not when there is no 圆 part: 伍分.
    else if (integerWords) words += '零';
    if (fen > 0) words += `${DIGITS[fen]}分`;
    else if (options.wholeAfterJiao) words += '整';
  }
  return value.isNegative() && !value.isZero() ? `${NEGATIVE_WORDS_PREFIX}${words}` : words;
}

/** Integer digits (no leading zeros, not "0") → words without the currency unit. */
function integerToWords(digits: string): string {
  const groups: string[] = [];
  for (let end = digits.length; end > 0; end -= 4) groups.unshift(digits.slice(Math.max(0, end - 4), end));
  let words = '';
  let pendingZero = false;
  groups.forEach((group, index) => {
    const groupValue = Number(group);
    const unit = GROUP_UNITS[groups.length - 1 - index] ?? '';
    if (groupValue === 0) {
      pendingZero = words !== '';
      return;
    }
    // A zero run crossing a group boundary (壹万零伍, 壹亿零壹仟) is written once.
    if (words !== '' && (pendingZero || groupValue < 1000)) words += '零';
    words += groupToWords(groupValue) + unit;
    pendingZero = false;
  });
  return words;
}

/** 1..9999 → words with internal 零 (壹仟零伍, 壹佰零壹, 壹拾). */
function groupToWords(value: number): string {
  const digits = String(value).padStart(4, '0');
  let words = '';
  let zeroRun = false;
  for (let i = 0; i < 4; i++) {
    const digit = Number(digits[i]);
    if (digit === 0) {
      zeroRun = words !== '';
      continue;
    }
    if (zeroRun) words += '零';
    words += `${DIGITS[digit]}${IN_GROUP_UNITS[3 - i]}`;
    zeroRun = false;
  }
  return words;
}
