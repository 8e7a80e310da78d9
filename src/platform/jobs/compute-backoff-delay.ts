/** Backoff grows as `e^attempts` seconds and stops growing after this many attempts (≈ 6 h 7 min). */
export const BACKOFF_MAX_EXPONENT = 10;

/** Each delay is spread by ±20 % so jobs that failed together do not all retry in the same instant. */
export const BACKOFF_JITTER = 0.2;

/**
 * Delay in milliseconds before a job that has failed `attempts` times runs again: `e^min(attempts, 10)` seconds
 * (graphile-worker's curve: 2.7 s, 7.4 s, 20 s, 55 s, 2.5 min … capped at ≈ 6 h 7 min) times a random factor in
 * [0.8, 1.2). Pure: pass `random` to make it deterministic. `attempts` below 0 counts as 0. See docs/jobs.md.
 */
export function computeBackoffDelay(attempts: number, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempts, 0), BACKOFF_MAX_EXPONENT);
  const jitter = 1 + (random() * 2 - 1) * BACKOFF_JITTER;
  return Math.round(Math.exp(exponent) * 1000 * jitter);
}
