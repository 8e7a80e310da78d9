import { describe, expect, it } from 'vitest';
import { computeBackoffDelay } from './compute-backoff-delay.js';

const middle = () => 0.5;

describe('computeBackoffDelay', () => {
  it('follows e^attempts seconds without jitter at the middle of the random range', () => {
    expect(computeBackoffDelay(1, middle)).toBe(2718);
    expect(computeBackoffDelay(2, middle)).toBe(7389);
    expect(computeBackoffDelay(3, middle)).toBe(20_086);
    expect(computeBackoffDelay(10, middle)).toBe(22_026_466);
  });

  it('stops growing after ten attempts (about 6 h 7 min)', () => {
    expect(computeBackoffDelay(11, middle)).toBe(computeBackoffDelay(10, middle));
    expect(computeBackoffDelay(25, middle)).toBe(computeBackoffDelay(10, middle));
  });

  it('spreads the delay by at most 20 % either way', () => {
    expect(computeBackoffDelay(1, () => 0)).toBe(Math.round(Math.exp(1) * 800));
    expect(computeBackoffDelay(1, () => 0.999_999)).toBeLessThanOrEqual(Math.round(Math.exp(1) * 1200));
    for (let i = 0; i < 200; i++) {
      const delay = computeBackoffDelay(4);
      expect(delay).toBeGreaterThanOrEqual(Math.round(Math.exp(4) * 800));
      expect(delay).toBeLessThanOrEqual(Math.round(Math.exp(4) * 1200));
    }
  });

  it('grows with every attempt up to the cap', () => {
    for (let a = 1; a < 10; a++)
      expect(computeBackoffDelay(a + 1, middle)).toBeGreaterThan(computeBackoffDelay(a, middle));
  });

  it('treats zero or negative attempts as a one-second base', () => {
    expect(computeBackoffDelay(0, middle)).toBe(1000);
    expect(computeBackoffDelay(-3, middle)).toBe(1000);
  });
});
