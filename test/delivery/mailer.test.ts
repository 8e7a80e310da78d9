/**
 * The SMTP mailer makes its transport with the first mail and shares it; when making it fails (nodemailer not
 * loading, `createTransport` throwing), the next mail tries again instead of failing until a restart.
 */
import nodemailer from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { createSmtpMailer, type OutgoingMail } from '../../src/modules/delivery/mailer.js';

const SMTP_URL = 'smtp://127.0.0.1:2525';
const mail: OutgoingMail = {
  tenantId: 't1',
  invoiceId: 'i1',
  to: 'buyer@example.test',
  subject: '您的电子发票',
  text: '发票已开具',
  html: '<p>发票已开具</p>',
  attachments: [],
};

describe('the SMTP mailer', () => {
  it('makes its transport again after a failed attempt, then shares it', async () => {
    const made: string[] = [];
    const mailer = createSmtpMailer(SMTP_URL, 'invoices@example.test', async (url) => {
      made.push(url);
      if (made.length === 1) throw new Error('nodemailer could not be loaded');
      // nodemailer's own transport that renders the message as JSON instead of connecting.
      return nodemailer.createTransport({ jsonTransport: true });
    });

    await expect(mailer.send(mail)).rejects.toThrow('nodemailer could not be loaded');
    const first = await mailer.send(mail);
    const second = await mailer.send(mail);
    expect(first.messageId).toMatch(/^<.+@.+>$/);
    expect(second.messageId).not.toBe(first.messageId);
    expect(made).toEqual([SMTP_URL, SMTP_URL]);
  });
});
