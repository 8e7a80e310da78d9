import { describe, expect, it } from 'vitest';
import { redactSecrets } from './log-redaction.js';

describe('redactSecrets', () => {
  it('keeps four characters of a scan order token, in every /s/ route', () => {
    expect(redactSecrets('/s/3cD9vQ0aZr8LmT2xY')).toBe('/s/3cD9…');
    expect(redactSecrets('/s/3cD9vQ0aZr8LmT2xY/qr.png')).toBe('/s/3cD9…/qr.png');
    expect(redactSecrets('/s/3cD9vQ0aZr8LmT2xY/status.json')).toBe('/s/3cD9…/status.json');
    expect(redactSecrets('/s/3cD9vQ0aZr8LmT2xY?sent=1')).toBe('/s/3cD9…?sent=1');
  });

  it('keeps only the invoice id of a signed download link', () => {
    expect(redactSecrets('/d/inv_0abc123def4.pmz8k2q1.Xf2LeZa_6r0gUQ5zAbCdEf')).toBe('/d/inv_0abc123def4.…');
    expect(redactSecrets('/d/garbage-without-dots-1234567')).toBe('/d/garb…');
  });

  it('redacts the signature and other secret query values, keeping the rest', () => {
    expect(redactSecrets('/q/Kq7Xo2mVb4T?o=POS-20250601-0001&t=1748743200&s=XF2LeZa_6r0gUQ5z')).toBe(
      '/q/Kq7Xo2mVb4T?o=POS-20250601-0001&t=1748743200&s=XF2L…',
    );
    expect(redactSecrets('/x?S=XF2LeZa_6r0gUQ5z&token=abcdefgh&access_token=zzzzzzzz&signature=qqqqqqqq')).toBe(
      '/x?S=XF2L…&token=abcd…&access_token=zzzz…&signature=qqqq…',
    );
    expect(redactSecrets('/x?session=1&sent=1&keys=abcdefgh')).toBe('/x?session=1&sent=1&keys=abcdefgh');
  });

  it('finds them inside whole URLs and error messages', () => {
    expect(
      redactSecrets(
        'fetch https://fapiao.example.com/s/3cD9vQ0aZr8LmT2xY failed; see https://x.test/cb?token=secret123',
      ),
    ).toBe('fetch https://fapiao.example.com/s/3cD9… failed; see https://x.test/cb?token=secr…');
  });

  it('leaves other paths alone', () => {
    for (const url of ['/api/v1/scan/orders/POS-1', '/api/v1/invoices/ERP-1/files/pdf', '/s/', '/s/abc', '/healthz']) {
      expect(redactSecrets(url)).toBe(url);
    }
  });
});
