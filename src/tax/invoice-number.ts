/**
 * 数电票 20-digit invoice numbers (tax-rules §2.1): yy (2) + province (2) + channel digit (1) + sequence (15).
 * Layout is [H]; the meaning of the channel digit and the encoding of 计划单列市 are [L] (§11.1), so an unknown
 * province is only a warning.
 */

/** Province prefixes seen in digits 3–4 (tax-rules §2.1 [M]), with names. */
export const PROVINCE_CODES: Readonly<Record<string, string>> = {
  '11': '北京',
  '12': '天津',
  '13': '河北',
  '14': '山西',
  '15': '内蒙古',
  '21': '辽宁',
  '22': '吉林',
  '23': '黑龙江',
  '31': '上海',
  '32': '江苏',
  '33': '浙江',
  '34': '安徽',
  '35': '福建',
  '36': '江西',
  '37': '山东',
  '41': '河南',
  '42': '湖北',
  '43': '湖南',
  '44': '广东',
  '45': '广西',
  '46': '海南',
  '50': '重庆',
  '51': '四川',
  '52': '贵州',
  '53': '云南',
  '54': '西藏',
  '61': '陕西',
  '62': '甘肃',
  '63': '青海',
  '64': '宁夏',
  '65': '新疆',
};

/** What digit 5 (and 5–6) suggest about the invoice (tax-rules §2.1 [L/M] heuristics). */
export type DigitalNumberHint = 'platform' | 'direct_connect' | 'toll' | 'aviation' | 'railway' | 'unknown';

/** Parts of a 数电 number. */
export interface DigitalInvoiceNumberParts {
  readonly number: string;
  /** Last two digits of the year. */
  readonly yy: string;
  /** Full year (2000 + yy). */
  readonly year: number;
  readonly region: string;
  /** Province name when the region is a known prefix. */
  readonly regionName?: string;
  /** 开具渠道 digit. */
  readonly channel: string;
  /** 15-digit sequence. */
  readonly sequence: string;
  readonly hint: DigitalNumberHint;
}

/** Input of {@link composeDigitalInvoiceNumber}. */
export interface DigitalInvoiceNumberInput {
  /** Year, 4-digit (2026) or 2-digit (26). */
  readonly year: number;
  /** 2-digit region (province) code. */
  readonly region: string;
  /** 1-digit channel. */
  readonly channel: string;
  /** Sequence, 0 ≤ n < 10^15. */
  readonly sequence: number | bigint;
}

/** Composes a 20-digit number: yy + region + channel + 15-digit zero-padded sequence. Throws RangeError on bad parts. */
export function composeDigitalInvoiceNumber(input: DigitalInvoiceNumberInput): string {
  const yy = input.year % 100;
  if (!Number.isInteger(input.year) || input.year < 0) throw new RangeError(`invalid year ${input.year}`);
  if (!/^\d{2}$/.test(input.region)) throw new RangeError(`region must be 2 digits: ${input.region}`);
  if (!/^\d$/.test(input.channel)) throw new RangeError(`channel must be 1 digit: ${input.channel}`);
  const sequence = BigInt(input.sequence);
  if (sequence < 0n || sequence >= 10n ** 15n) throw new RangeError(`sequence out of range: ${sequence}`);
  return `${String(yy).padStart(2, '0')}${input.region}${input.channel}${sequence.toString().padStart(15, '0')}`;
}

/** Splits a 20-digit number into its parts; null when it is not 20 digits. */
export function parseDigitalInvoiceNumber(number: string): DigitalInvoiceNumberParts | null {
  if (!/^\d{20}$/.test(number)) return null;
  const yy = number.slice(0, 2);
  const region = number.slice(2, 4);
  const channel = number.slice(4, 5);
  const regionName = PROVINCE_CODES[region];
  return {
    number,
    yy,
    year: 2000 + Number(yy),
    region,
    ...(regionName ? { regionName } : {}),
    channel,
    sequence: number.slice(5),
    hint: hintOf(number),
  };
}

function hintOf(number: string): DigitalNumberHint {
  if (number.slice(4, 6) === '79') return 'toll';
  const byChannel: Record<string, DigitalNumberHint> = {
    '2': 'platform',
    '7': 'direct_connect',
    '8': 'aviation',
    '9': 'railway',
  };
  return byChannel[number[4] as string] ?? 'unknown';
}

/** Problems found by {@link validateDigitalInvoiceNumber}. */
export type DigitalNumberError = 'format' | 'year_too_early' | 'year_in_future';

/** Result of {@link validateDigitalInvoiceNumber}. */
export interface DigitalNumberValidation {
  readonly ok: boolean;
  readonly errors: readonly DigitalNumberError[];
  readonly warnings: readonly 'unknown_region'[];
}

/**
 * Validates a 数电 number: 20 digits, yy ≥ 21 (pilot began 2021) and, when `now` is given, yy ≤ the current
 * year in China time (tax-rules §2.1). An unknown province prefix is a warning only.
 */
export function validateDigitalInvoiceNumber(
  number: string,
  options: { now?: Date; minYear?: number } = {},
): DigitalNumberValidation {
  const parts = parseDigitalInvoiceNumber(number);
  if (!parts) return { ok: false, errors: ['format'], warnings: [] };
  const errors: DigitalNumberError[] = [];
  if (Number(parts.yy) < (options.minYear ?? 21)) errors.push('year_too_early');
  if (options.now && parts.year > chinaYear(options.now)) errors.push('year_in_future');
  return { ok: errors.length === 0, errors, warnings: parts.regionName ? [] : ['unknown_region'] };
}

/** Calendar year at UTC+8 for an instant. */
export function chinaYear(now: Date): number {
  return new Date(now.getTime() + 8 * 3_600_000).getUTCFullYear();
}
