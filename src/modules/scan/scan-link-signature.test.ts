import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isValidScanLinkSignature, scanLinkCanonical, scanLinkSignature, signScanLink } from './scan-link-signature.js';

/** The test vector printed in docs/scan.md (and used there for the Java, Python and PHP examples). */
const VECTOR = {
  key: 'Kq7Xo2mVb4T',
  secret: 's3cr3t-EXAMPLE-not-for-production',
  orderNo: 'POS-20250601-0001',
  t: 1748743200,
  canonical: 'k=Kq7Xo2mVb4T&o=POS-20250601-0001&t=1748743200',
  s: 'XF2LeZa_6r0gUQ5z',
  url: 'https://fapiao.example.com/q/Kq7Xo2mVb4T?o=POS-20250601-0001&t=1748743200&s=XF2LeZa_6r0gUQ5z',
};

describe('signScanLink', () => {
  it('matches the documented test vector', () => {
    expect(scanLinkCanonical(VECTOR.key, VECTOR.orderNo, VECTOR.t)).toBe(VECTOR.canonical);
    expect(scanLinkSignature(VECTOR.secret, VECTOR.key, VECTOR.orderNo, VECTOR.t)).toBe(VECTOR.s);
    const url = signScanLink({
      baseUrl: 'https://fapiao.example.com/',
      key: VECTOR.key,
      secret: VECTOR.secret,
      orderNo: VECTOR.orderNo,
      unixSeconds: VECTOR.t,
    });
    expect(url).toBe(VECTOR.url);
  });

  it('is the vector docs/scan.md prints', () => {
    const doc = fs.readFileSync(path.resolve(import.meta.dirname, '../../../docs/scan.md'), 'utf8');
    for (const value of [VECTOR.secret, VECTOR.canonical, VECTOR.s, VECTOR.url]) expect(doc).toContain(value);
  });

  it('rejects a changed order number, time, key or signature', () => {
    const { secret, key, orderNo, t, s } = VECTOR;
    expect(isValidScanLinkSignature(secret, key, orderNo, t, s)).toBe(true);
    expect(isValidScanLinkSignature(secret, key, `${orderNo}9`, t, s)).toBe(false);
    expect(isValidScanLinkSignature(secret, key, orderNo, t + 1, s)).toBe(false);
    expect(isValidScanLinkSignature(secret, 'Kq7Xo2mVb4U', orderNo, t, s)).toBe(false);
    expect(isValidScanLinkSignature(`${secret}x`, key, orderNo, t, s)).toBe(false);
    expect(isValidScanLinkSignature(secret, key, orderNo, t, `${s.slice(0, -1)}A`)).toBe(false);
  });
});
