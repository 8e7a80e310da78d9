import type { Transporter } from 'nodemailer';
import type { Deps } from '../../platform/deps.js';
import type { InvoiceFile } from './invoice-files.js';
import { insertOutboxMessage } from './outbox.repo.js';

/** An e-mail to a buyer. */
export interface OutgoingMail {
  tenantId: string;
  invoiceId: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  attachments: InvoiceFile[];
}

/** Sends mail: over SMTP when SMTP_URL is set, otherwise into the outbox table. */
export interface Mailer {
  readonly transport: 'smtp' | 'outbox';
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
}

/** Makes the SMTP transport for SMTP_URL (the first mail calls it; again after a failure). */
export type SmtpTransportFactory = (smtpUrl: string) => Promise<Transporter>;

// nodemailer is loaded with the first mail (SMTP_URL's form is checked by the config at start-up): a node that sends
// none does not pay its start-up.
const nodemailerTransport: SmtpTransportFactory = async (smtpUrl) =>
  (await import('nodemailer')).default.createTransport(smtpUrl);

/**
 * The SMTP mailer. The transport is made once and shared; a failed attempt (the import, or `createTransport`
 * throwing) is forgotten, so the next mail tries again instead of failing until a restart.
 */
export function createSmtpMailer(
  smtpUrl: string,
  from: string,
  createTransport: SmtpTransportFactory = nodemailerTransport,
): Mailer {
  let transporter: Promise<Transporter> | undefined;
  const currentTransporter = (): Promise<Transporter> => {
    if (transporter) return transporter;
    const made = createTransport(smtpUrl);
    transporter = made;
    made.catch(() => {
      if (transporter === made) transporter = undefined;
    });
    return made;
  };
  return {
    transport: 'smtp',
    async send(mail) {
      const info = await (await currentTransporter()).sendMail({
        from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        attachments: mail.attachments.map((a) => ({
          filename: a.fileName,
          content: a.bytes,
          contentType: a.contentType,
        })),
      });
      return { messageId: String(info.messageId ?? '') };
    },
  };
}

function createOutboxMailer(deps: Pick<Deps, 'db' | 'clock'>): Mailer {
  return {
    transport: 'outbox',
    async send(mail) {
      const messageId = await insertOutboxMessage(deps.db.kysely, {
        tenantId: mail.tenantId,
        channel: 'email',
        recipient: mail.to,
        subject: mail.subject,
        body: mail.text,
        attachments: mail.attachments.map((a) => ({
          fileName: a.fileName,
          contentType: a.contentType,
          size: a.bytes.length,
          sha256: a.sha256,
        })),
        invoiceId: mail.invoiceId,
        now: deps.clock.now(),
      });
      return { messageId };
    },
  };
}

/** The mailer the configuration asks for (SMTP_URL set → SMTP, else the outbox). */
export function createMailer(deps: Pick<Deps, 'db' | 'clock' | 'config'>): Mailer {
  const { smtpUrl, mailFrom } = deps.config.delivery;
  return smtpUrl ? createSmtpMailer(smtpUrl, mailFrom) : createOutboxMailer(deps);
}
