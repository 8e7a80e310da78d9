import { describe, expect, it } from 'vitest';
import { signDownloadToken, verifyDownloadToken } from './download-links.js';

const key = Buffer.from('k'.repeat(32));
const now = Date.parse('2025-06-01T00:00:00Z');

describe('download link tokens', () => {
  it('round-trips invoice id, format and expiry in a short URL-safe token', () => {
    const token = signDownloadToken(key, 'inv_0ABCdef123456789xyz', 'ofd', now + 3600_000);
    expect(token).toMatch(/^[A-Za-z0-9_.-]+$/);
    expect(token.length).toBeLessThan(80);
    expect(verifyDownloadToken(key, token, now)).toEqual({
      invoiceId: 'inv_0ABCdef123456789xyz',
      format: 'ofd',
      expiresAtMs: now + 3600_000,
    });
  });

  it('rejects tampering, other keys and expired tokens', () => {
    const token = signDownloadToken(key, 'inv_1', 'pdf', now + 1000);
    const code = (fn: () => unknown) => {
      try {
        fn();
        return 'ok';
      } catch (err) {
        return (err as { code: string }).code;
      }
    };
    expect(code(() => verifyDownloadToken(key, token.replace('inv_1', 'inv_2'), now))).toBe('DOCUMENT_LINK_INVALID');
    expect(code(() => verifyDownloadToken(key, token.replace('.p', '.x'), now))).toBe('DOCUMENT_LINK_INVALID');
    expect(code(() => verifyDownloadToken(Buffer.from('z'.repeat(32)), token, now))).toBe('DOCUMENT_LINK_INVALID');
    expect(code(() => verifyDownloadToken(key, 'not-a-token', now))).toBe('DOCUMENT_LINK_INVALID');
    expect(code(() => verifyDownloadToken(key, token, now + 1000))).toBe('DOCUMENT_LINK_EXPIRED');
  });
});
