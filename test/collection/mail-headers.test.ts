/** Reading the few headers the SMTP receiver needs before it answers 250 (Message-ID, From), on hostile input. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { headerBlock, messageIdOf } from '../../src/modules/collection/mail/raw-headers.js';
import { senderOf } from '../../src/modules/collection/mail/store-mail.js';

const raw = (s: string) => Buffer.from(s, 'latin1');

describe('mail headers', () => {
  it('reads a folded Message-ID without brackets, case-insensitively', () => {
    const mail = raw(
      'From: a@b.test\r\nMESSAGE-ID:\r\n <abc.123@example.test>\r\nSubject: x\r\n\r\nMessage-ID: <body@x>\r\n',
    );
    expect(messageIdOf(mail)).toBe('abc.123@example.test');
  });

  it('keys a mail without Message-ID by the SHA-256 of its bytes', () => {
    const mail = raw('From: a@b.test\r\nSubject: x\r\n\r\nbody');
    expect(messageIdOf(mail)).toBe(`sha256:${createHash('sha256').update(mail).digest('hex')}`);
  });

  it('stops at the first empty line and bounds the header scan', () => {
    expect(headerBlock(raw('A: 1\n\nB: 2'))).toBe('A: 1');
    const huge = raw(`X-Junk: ${'a'.repeat(2_000_000)}\r\nMessage-ID: <late@x>\r\n\r\n`);
    expect(messageIdOf(huge)).toMatch(/^sha256:/);
    expect(messageIdOf(raw(`Message-ID: <${'x'.repeat(5000)}>\r\n\r\n`)).length).toBe(998);
  });

  it('takes the sender from From (name and brackets removed), else the envelope', () => {
    expect(senderOf(raw('From: "供应商" <Billing@Supplier.TEST>\r\n\r\n'))).toBe('billing@supplier.test');
    expect(senderOf(raw('From: billing@supplier.test\r\n\r\n'))).toBe('billing@supplier.test');
    expect(senderOf(raw('Subject: x\r\n\r\n'), 'bounce@relay.test')).toBe('bounce@relay.test');
    expect(senderOf(raw('Subject: x\r\n\r\n'))).toBeNull();
  });
});
