import { describe, expect, it } from 'vitest';
import {
  checkStaticLimits,
  DEFAULT_STATIC_LIMITS,
  effectiveLimits,
  shanghaiDayStart,
  usageOfCounters,
} from './static-limits.js';

const NONE = { settingMinute: 0, settingDay: 0, settingDayAmountFen: 0, clientMinute: 0, clientDay: 0 };
const at = (iso: string) => Date.parse(iso);

describe('static link limits', () => {
  it('starts the day at midnight Asia/Shanghai', () => {
    expect(shanghaiDayStart(at('2025-06-01T15:59:59.999Z'))).toBe(at('2025-05-31T16:00:00Z'));
    expect(shanghaiDayStart(at('2025-06-01T16:00:00Z'))).toBe(at('2025-06-01T16:00:00Z'));
  });

  it('completes the merchant limits with the defaults', () => {
    expect(effectiveLimits({ clientPerDay: 4 })).toEqual({ ...DEFAULT_STATIC_LIMITS, clientPerDay: 4 });
    expect(effectiveLimits(null)).toEqual(DEFAULT_STATIC_LIMITS);
  });

  it('names the first limit reached, with its window and when to retry', () => {
    const now = at('2025-06-01T02:00:30Z');
    const limits = effectiveLimits({ amountPerDay: '100.00' });
    expect(checkStaticLimits(limits, NONE, 10_000, now)).toBeNull();
    expect(checkStaticLimits(limits, NONE, 10_001, now)).toEqual({
      limit: 'amountPerDay',
      limitValue: '100.00',
      windowStart: at('2025-05-31T16:00:00Z'),
      retryAfterSeconds: 50_370,
    });
    // Minute limits count the clock minute: retry when it ends (02:01:00).
    const busy = { ...NONE, clientMinute: 3, settingMinute: 20 };
    expect(checkStaticLimits(limits, busy, 1, now)).toEqual({
      limit: 'clientPerMinute',
      limitValue: '3',
      windowStart: at('2025-06-01T02:00:00Z'),
      retryAfterSeconds: 30,
    });
    expect(checkStaticLimits(limits, { ...busy, clientMinute: 0 }, 1, now)?.limit).toBe('settingPerMinute');
    expect(checkStaticLimits(limits, { ...NONE, settingDay: 500 }, 1, now)?.limit).toBe('settingPerDay');
    expect(checkStaticLimits(limits, { ...NONE, clientDay: 10 }, 1, now)?.limit).toBe('clientPerDay');
  });

  it("reads the usage from the day's counter rows: a minute count of an earlier minute is 0", () => {
    const now = at('2025-06-01T02:00:30Z');
    const row = (subject: string, minute: string, minuteCount: number) => ({
      subject,
      day_count: 7,
      day_fen: '120000',
      minute_start: String(at(minute)),
      minute_count: minuteCount,
    });
    expect(usageOfCounters([row('', '2025-06-01T02:00:00Z', 4), row('ab12', '2025-06-01T01:59:00Z', 2)], now)).toEqual({
      settingMinute: 4,
      settingDay: 7,
      settingDayAmountFen: 120_000,
      clientMinute: 0,
      clientDay: 7,
    });
    expect(usageOfCounters([], now)).toEqual(NONE);
  });
});
