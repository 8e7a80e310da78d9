import { formatMoney, toFen } from '../../tax/index.js';

/**
 * Limits on a setting's static link (默认开票 / 码上开票), where anyone holding the printed QR can submit: accepted
 * submissions per setting (a sliding minute, and the Asia/Shanghai calendar day), the amount per setting per day,
 * and submissions per client address (minute, day). A merchant may set any of them on the setting; the rest take
 * {@link DEFAULT_STATIC_LIMITS}, which a small shop never reaches but which stop a script posting in a loop.
 */
export interface StaticLimits {
  settingPerMinute: number;
  settingPerDay: number;
  /** 价税合计 of the setting's static orders per day, a decimal string. */
  amountPerDay: string;
  clientPerMinute: number;
  clientPerDay: number;
}

export const DEFAULT_STATIC_LIMITS: Readonly<StaticLimits> = {
  settingPerMinute: 20,
  settingPerDay: 500,
  amountPerDay: '50000.00',
  clientPerMinute: 3,
  clientPerDay: 10,
};

export const STATIC_LIMIT_NAMES = [
  'clientPerMinute',
  'clientPerDay',
  'settingPerMinute',
  'settingPerDay',
  'amountPerDay',
] as const;
export type StaticLimitName = (typeof STATIC_LIMIT_NAMES)[number];

/** The limits in force: the merchant's, completed by the defaults. */
export function effectiveLimits(stored: Partial<StaticLimits> | null): StaticLimits {
  return { ...DEFAULT_STATIC_LIMITS, ...(stored ?? {}) };
}

export const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const SHANGHAI_OFFSET_MS = 8 * 3600_000;

/** Start of the Asia/Shanghai calendar day containing `ms` (China has no daylight saving time). */
export function shanghaiDayStart(ms: number): number {
  return Math.floor((ms + SHANGHAI_OFFSET_MS) / DAY_MS) * DAY_MS - SHANGHAI_OFFSET_MS;
}

/** What the submissions already accepted add up to (minute = the last 60 s, day = since the Shanghai midnight). */
export interface StaticUsage {
  settingMinute: number;
  /** created_at of the oldest submission in the setting's minute, when any. */
  settingMinuteOldest: number | null;
  settingDay: number;
  settingDayAmountFen: number;
  clientMinute: number;
  clientMinuteOldest: number | null;
  clientDay: number;
}

export interface LimitVerdict {
  limit: StaticLimitName;
  /** The limit as configured: a count, or the amount as a decimal string. */
  limitValue: string;
  /** The window the limit counts in (its minute or day start): exceptions are raised once per limit and window. */
  windowStart: number;
  retryAfterSeconds: number;
}

/** The first limit one more submission of `amountFen` would exceed, or null when it may go ahead. */
export function checkStaticLimits(
  limits: StaticLimits,
  usage: StaticUsage,
  amountFen: number,
  now: number,
): LimitVerdict | null {
  const dayStart = shanghaiDayStart(now);
  const untilTomorrow = seconds(dayStart + DAY_MS - now);
  const minuteVerdict = (limit: StaticLimitName, oldest: number | null): LimitVerdict => ({
    limit,
    limitValue: String(limits[limit]),
    windowStart: Math.floor(now / MINUTE_MS) * MINUTE_MS,
    retryAfterSeconds: seconds((oldest ?? now) + MINUTE_MS - now),
  });
  const dayVerdict = (limit: StaticLimitName): LimitVerdict => ({
    limit,
    limitValue: String(limits[limit]),
    windowStart: dayStart,
    retryAfterSeconds: untilTomorrow,
  });
  if (usage.clientMinute >= limits.clientPerMinute) return minuteVerdict('clientPerMinute', usage.clientMinuteOldest);
  if (usage.clientDay >= limits.clientPerDay) return dayVerdict('clientPerDay');
  if (usage.settingMinute >= limits.settingPerMinute) {
    return minuteVerdict('settingPerMinute', usage.settingMinuteOldest);
  }
  if (usage.settingDay >= limits.settingPerDay) return dayVerdict('settingPerDay');
  if (usage.settingDayAmountFen + amountFen > toFen(limits.amountPerDay)) {
    return { ...dayVerdict('amountPerDay'), limitValue: formatMoney(limits.amountPerDay) };
  }
  return null;
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/** How each limit reads in Chinese (the monitor and logs). */
export const STATIC_LIMIT_LABELS: Readonly<Record<StaticLimitName, string>> = {
  clientPerMinute: '同一客户端每分钟提交次数',
  clientPerDay: '同一客户端每天提交次数',
  settingPerMinute: '该二维码每分钟提交次数',
  settingPerDay: '该二维码每天提交次数',
  amountPerDay: '该二维码每天开票金额',
};
