import { describe, expect, it } from 'vitest';
import { computeBackoffDelay } from '../../../platform/jobs/index.js';
import { BUYER_SEND_MAX_ATTEMPTS, WEBHOOK_MAX_ATTEMPTS } from './index.js';

/** Time from the first attempt to the last one, with every delay at the given jitter draw. */
function windowMs(maxAttempts: number, draw: number): number {
  let total = 0;
  for (let failures = 1; failures < maxAttempts; failures++) total += computeBackoffDelay(failures, () => draw);
  return total;
}

describe('webhook retry window', () => {
  it('keeps retrying for at least 24 h even when every jitter draw is the shortest', () => {
    expect(windowMs(WEBHOOK_MAX_ATTEMPTS, 0)).toBeGreaterThanOrEqual(24 * 3600_000);
  });

  it('is documented as ≈ 34 h nominal (docs/webhooks.md)', () => {
    expect(Math.round(windowMs(WEBHOOK_MAX_ATTEMPTS, 0.5) / 3600_000)).toBe(34);
  });

  it('retries buyer e-mail/SMS for ≈ 9.7 h', () => {
    expect(Math.round(windowMs(BUYER_SEND_MAX_ATTEMPTS, 0.5) / 360_000) / 10).toBe(9.7);
  });
});
