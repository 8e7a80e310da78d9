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

const CHINA_OFFSET_MS = 8 * 3600_000;

/** ISO 8601 with the China Standard Time offset, e.g. `2025-01-01T08:00:00.000+08:00` (API convention). */
export function toIsoCst(epochMs: number): string {
  return `${new Date(epochMs + CHINA_OFFSET_MS).toISOString().slice(0, 23)}+08:00`;
}
