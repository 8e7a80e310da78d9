import { describe, expect, it } from 'vitest';
import { requestHash } from './canonical-json.js';
import { AppError } from './errors/app-error.js';
import { assertSameRequest } from './idempotency.js';

describe('assertSameRequest', () => {
  const stored = { id: 'inv_1', request_hash: requestHash({ serialNo: 'A', amount: '1.00' }) };

  it('returns the stored resource when the payload is the same (key order does not matter)', () => {
    expect(assertSameRequest(stored, requestHash({ amount: '1.00', serialNo: 'A' }))).toBe(stored);
  });

  it('throws 409 IDEMPOTENCY_CONFLICT with the given message and details when the payload differs', () => {
    const attempt = () =>
      assertSameRequest(stored, requestHash({ serialNo: 'A', amount: '2.00' }), {
        message: '流水号 A 已用于内容不同的开票请求',
        details: { serialNo: 'A' },
      });
    expect(attempt).toThrow(AppError);
    try {
      attempt();
    } catch (err) {
      expect(err).toMatchObject({
        code: 'IDEMPOTENCY_CONFLICT',
        statusCode: 409,
        message: '流水号 A 已用于内容不同的开票请求',
        details: { serialNo: 'A' },
      });
    }
  });

  it('uses the code’s default message without a conflict description', () => {
    expect(() => assertSameRequest(stored, 'other')).toThrow('同一幂等键已用于不同的请求内容');
  });
});
