/** Time source. Use cases take a Clock instead of calling Date.now(), so tests can pin and move time. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock tests can set and advance. */
export function createManualClock(
  start: number | string = Date.now(),
): Clock & { set(ms: number): void; advance(ms: number): void } {
  let current = typeof start === 'string' ? Date.parse(start) : start;
  return {
    now: () => current,
    set: (ms) => {
      current = ms;
    },
    advance: (ms) => {
      current += ms;
    },
  };
}

/** China time (Asia/Shanghai) is UTC+8 all year: no daylight saving time. */
export const CHINA_OFFSET_MS = 8 * 3_600_000;
export const DAY_MS = 86_400_000;

/** The China date (YYYY-MM-DD, Asia/Shanghai) of an instant. */
export function chinaDate(epochMs: number): string {
  return new Date(epochMs + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

/** The start (epoch ms) of the China day `YYYY-MM-DD`. */
export function chinaDayStart(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) - CHINA_OFFSET_MS;
}

/** The China day (YYYY-MM-DD) of an instant, and the start of the next one (epoch ms). */
export function chinaDay(epochMs: number): { day: string; nextStart: number } {
  const day = chinaDate(epochMs);
  return { day, nextStart: chinaDayStart(day) + DAY_MS };
}

/** ISO 8601 with the China Standard Time offset, e.g. `2025-01-01T08:00:00.000+08:00` (API convention). */
export function toIsoCst(epochMs: number): string {
  return `${new Date(epochMs + CHINA_OFFSET_MS).toISOString().slice(0, 23)}+08:00`;
}
