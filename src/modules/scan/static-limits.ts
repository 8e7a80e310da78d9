import { formatMoney, toFen } from '../../tax/index.js';

/**
 * Limits on a setting's static link (默认开票 / 码上开票), where anyone holding the printed QR can submit: accepted
 * submissions per setting (per clock minute, and per Asia/Shanghai calendar day), the amount per setting per day,
 * and submissions per client address (minute, day). Windows are fixed: a minute limit counts the submissions of the
 * current clock minute (hh:mm:00–hh:mm:59), so one counter row per window can be checked and counted in one
 * statement (static-limits.repo.ts). A merchant may set any of them on the setting; the rest take
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
export const DAY_MS = 86_400_000;

/**
 * The task that forgets counter rows older than yesterday and limit exceptions older than 30 days, scheduled by the
 * first counted submission of each setting's day (one job per day: its key is the day).
 */
export const PRUNE_COUNTERS_TASK = 'scan/prune-static-counters';
const SHANGHAI_OFFSET_MS = 8 * 3600_000;

/** Start of the Asia/Shanghai calendar day containing `ms` (China has no daylight saving time). */
export function shanghaiDayStart(ms: number): number {
  return Math.floor((ms + SHANGHAI_OFFSET_MS) / DAY_MS) * DAY_MS - SHANGHAI_OFFSET_MS;
}

/** What the submissions already accepted add up to (minute = the current clock minute, day = since the Shanghai midnight). */
export interface StaticUsage {
  settingMinute: number;
  settingDay: number;
  settingDayAmountFen: number;
  clientMinute: number;
  clientDay: number;
}

/** Start of the clock minute containing `ms`. */
export const minuteStart = (ms: number) => Math.floor(ms / MINUTE_MS) * MINUTE_MS;

/** One counter row of a day (static-limits.repo.ts): subject '' is the setting, anything else the client. */
export interface CounterRow {
  subject: string;
  day_count: number | string;
  day_fen: number | string;
  minute_start: number | string;
  minute_count: number | string;
}

/** The usage the counter rows of the day show at `now` (a minute count from an earlier minute counts 0). */
export function usageOfCounters(rows: readonly CounterRow[], now: number): StaticUsage {
  const minute = minuteStart(now);
  const setting = rows.find((r) => r.subject === '');
  const client = rows.find((r) => r.subject !== '');
  const minuteCount = (r: CounterRow | undefined) =>
    r && Number(r.minute_start) === minute ? Number(r.minute_count) : 0;
  return {
    settingMinute: minuteCount(setting),
    settingDay: Number(setting?.day_count ?? 0),
    settingDayAmountFen: Number(setting?.day_fen ?? 0),
    clientMinute: minuteCount(client),
    clientDay: Number(client?.day_count ?? 0),
  };
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
  const minuteVerdict = (limit: StaticLimitName): LimitVerdict => ({
    limit,
    limitValue: String(limits[limit]),
    windowStart: minuteStart(now),
    retryAfterSeconds: seconds(minuteStart(now) + MINUTE_MS - now),
  });
  const dayVerdict = (limit: StaticLimitName): LimitVerdict => ({
    limit,
    limitValue: String(limits[limit]),
    windowStart: dayStart,
    retryAfterSeconds: untilTomorrow,
  });
  if (usage.clientMinute >= limits.clientPerMinute) return minuteVerdict('clientPerMinute');
  if (usage.clientDay >= limits.clientPerDay) return dayVerdict('clientPerDay');
  if (usage.settingMinute >= limits.settingPerMinute) return minuteVerdict('settingPerMinute');
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
