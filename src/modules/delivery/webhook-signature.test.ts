import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildSignatureHeader, computeWebhookSignature, verifyWebhookSignature } from './webhook-signature.js';

const SECRET = 'whsec_test0123456789';
const BODY = '{"id":"evt_1","type":"invoice.issued","data":{"total":"117.00","seller":"上海测试"}}';
const TS = 1_748_743_200; // 2025-06-01T02:00:00Z
const NOW = TS * 1000;

describe('webhook signatures', () => {
  it('is the hex HMAC-SHA256 of "timestamp.body" (the documented algorithm)', () => {
    const manual = createHmac('sha256', SECRET).update(`${TS}.${BODY}`, 'utf8').digest('hex');
    expect(computeWebhookSignature(SECRET, TS, BODY)).toBe(manual);
    expect(computeWebhookSignature(SECRET, String(TS), Buffer.from(BODY))).toBe(manual);
  });

  it('verifies a genuine signature and rejects a tampered body, timestamp or secret', () => {
    const header = buildSignatureHeader([SECRET], TS, BODY);
    expect(header).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(SECRET, TS, BODY, header, { now: NOW })).toBe(true);
    expect(verifyWebhookSignature(SECRET, TS, BODY.replace('117.00', '1170.00'), header, { now: NOW })).toBe(false);
    expect(verifyWebhookSignature(SECRET, TS + 1, BODY, header, { now: NOW })).toBe(false);
    expect(verifyWebhookSignature('whsec_other', TS, BODY, header, { now: NOW })).toBe(false);
  });

  it('accepts either signature during a rotation overlap', () => {
    const header = buildSignatureHeader(['whsec_new', 'whsec_old'], TS, BODY);
    expect(header.split(',')).toHaveLength(2);
    expect(verifyWebhookSignature('whsec_new', TS, BODY, header, { now: NOW })).toBe(true);
    expect(verifyWebhookSignature('whsec_old', TS, BODY, header, { now: NOW })).toBe(true);
    expect(verifyWebhookSignature('whsec_gone', TS, BODY, header, { now: NOW })).toBe(false);
  });

  it('rejects stale timestamps unless the tolerance is disabled', () => {
    const header = buildSignatureHeader([SECRET], TS, BODY);
    const later = NOW + 301_000;
    expect(verifyWebhookSignature(SECRET, TS, BODY, header, { now: later })).toBe(false);
    expect(verifyWebhookSignature(SECRET, TS, BODY, header, { now: later, toleranceSeconds: 600 })).toBe(true);
    expect(verifyWebhookSignature(SECRET, TS, BODY, header, { now: later, toleranceSeconds: 0 })).toBe(true);
  });

  it('returns false for malformed input instead of throwing', () => {
    for (const header of ['', 'sha256=', 'sha1=abc', 'sha256=zz', `md5=${'a'.repeat(64)}`, null, undefined]) {
      expect(verifyWebhookSignature(SECRET, TS, BODY, header, { now: NOW })).toBe(false);
    }
    const header = buildSignatureHeader([SECRET], TS, BODY);
    expect(verifyWebhookSignature(SECRET, 'abc', BODY, header, { now: NOW })).toBe(false);
  });
});
