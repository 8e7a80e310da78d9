import type { AddressInfo } from 'node:net';
import type { SMTPServer, SMTPServerAddress, SMTPServerSession } from 'smtp-server';
import type { Deps } from '../../../platform/deps.js';
import { isActiveUser } from '../../auth/index.js';
import { findAddressByLocalPart } from './mail.repo.js';
import type { ReceivedMailAddress } from './mail.tables.js';
import { storeIncomingMail } from './store-mail.js';

/** Recipients of one SMTP transaction at most (one mail reaches at most this many collection addresses). */
export const MAX_RECIPIENTS = 20;
/** Concurrent SMTP connections at most. */
export const MAX_SMTP_CLIENTS = 100;
/** Longest address accepted in MAIL FROM / RCPT TO. */
const MAX_ADDRESS = 320;

/** A running SMTP receiver. */
export interface MailReceiver {
  readonly port: number;
  readonly host: string;
  /** Bytes of mail held in memory now (being received or being stored), at most the buffer budget. */
  bytesInFlight(): number;
  close(): Promise<void>;
}

const smtpError = (code: number, message: string) => Object.assign(new Error(message), { responseCode: code });

/**
 * The collection address a recipient names, or null: `local@COLLECT_MAIL_DOMAIN` (case-insensitive) whose local part
 * is a stored address (one index lookup) whose owner can still receive (orgs are never deleted; users can be disabled).
 */
export async function resolveRecipient(deps: Deps, address: string): Promise<ReceivedMailAddress | null> {
  const domain = deps.config.collectMail.mailDomain;
  if (!domain || address.length > MAX_ADDRESS) return null;
  const at = address.lastIndexOf('@');
  if (at <= 0) return null;
  if (address.slice(at + 1).toLowerCase() !== domain) return null;
  const row = await findAddressByLocalPart(deps.db.kysely, address.slice(0, at).toLowerCase());
  if (!row) return null;
  // A disabled user's personal address is no longer listed (nor rotatable): it takes no mail either.
  if (row.owner_type === 'user' && !(await isActiveUser({ db: deps.db.kysely }, row.tenant_id, row.owner_id))) {
    return null;
  }
  return row;
}

/**
 * Starts the built-in SMTP receiver (COLLECT_SMTP_PORT / COLLECT_SMTP_HOST): RCPT TO is refused (550) for anything
 * but a collection address; a mail over COLLECT_MAIL_MAX_BYTES is refused (552); an accepted mail is answered 250
 * only once it is stored durably with its import job (one row per tenant it reaches). No AUTH, no relaying.
 *
 * Memory is bounded by bytes, not by connections: every mail being received or stored counts against one budget
 * (COLLECT_SMTP_BUFFER_BYTES). A MAIL FROM whose declared SIZE does not fit now is answered 452, a mail that outgrows
 * what is left while it arrives is read to its end without being kept and answered 451 — both temporary, so the
 * sending server retries later (RFC 5321 §4.2.5, RFC 1870).
 */
export async function startMailReceiver(
  deps: Deps,
  options: { port?: number; host?: string; bufferBytes?: number } = {},
): Promise<MailReceiver> {
  const cfg = deps.config.collectMail;
  const logger = deps.logger.child({ component: 'smtp-receiver' });
  const recipients = new Map<string, Map<string, ReceivedMailAddress>>();
  const budget = options.bufferBytes ?? cfg.smtpBufferBytes;
  let inFlight = 0;
  // Loaded only where the receiver runs (off by default).
  const { SMTPServer } = await import('smtp-server');
  const server = new SMTPServer({
    name: cfg.mailDomain ?? 'localhost',
    banner: 'OpenFapiao invoice collection',
    size: cfg.maxMessageBytes,
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    maxClients: MAX_SMTP_CLIENTS,
    socketTimeout: 60_000,
    closeTimeout: 5_000,
    onMailFrom(address: SMTPServerAddress, session: SMTPServerSession, callback) {
      recipients.set(session.id, new Map());
      if (address.address.length > MAX_ADDRESS) return callback(smtpError(553, 'Sender address too long'));
      // RFC 1870: a sender may declare the size up front; one that cannot fit now is told to retry later.
      const args = address.args as { SIZE?: string } | false;
      const declared = args ? Number(args.SIZE ?? 0) : 0;
      if (Number.isSafeInteger(declared) && declared <= cfg.maxMessageBytes && inFlight + declared > budget) {
        return callback(smtpError(452, 'Insufficient system storage, try again later'));
      }
      callback();
    },
    onRcptTo(address: SMTPServerAddress, session: SMTPServerSession, callback) {
      const accepted = recipients.get(session.id) ?? new Map<string, ReceivedMailAddress>();
      recipients.set(session.id, accepted);
      if (accepted.size >= MAX_RECIPIENTS) return callback(smtpError(452, 'Too many recipients'));
      resolveRecipient(deps, address.address).then(
        (found) => {
          if (!found) return callback(smtpError(550, 'No such collection address'));
          accepted.set(found.id, found);
          callback();
        },
        (err: unknown) => {
          logger.error({ err }, 'recipient lookup failed');
          callback(smtpError(451, 'Temporary failure, try again later'));
        },
      );
    },
    onData(stream, session, callback) {
      let chunks: Buffer[] = [];
      let held = 0;
      let overBudget = false;
      const release = () => {
        inFlight -= held;
        held = 0;
        chunks = [];
      };
      stream.on('data', (chunk: Buffer) => {
        if (stream.sizeExceeded || overBudget) return;
        if (inFlight + chunk.length > budget) {
          // Read on to the end (the protocol needs it) but keep nothing: the answer will be a temporary refusal.
          overBudget = true;
          release();
          return;
        }
        chunks.push(chunk);
        held += chunk.length;
        inFlight += chunk.length;
      });
      stream.once('error', (err) => {
        release();
        callback(err);
      });
      stream.once('end', () => {
        if (stream.sizeExceeded) {
          release();
          callback(smtpError(552, `Message exceeds the ${cfg.maxMessageBytes} byte limit`));
          return;
        }
        if (overBudget) {
          logger.warn({ budget }, 'mail refused for now: the receiver buffer is full');
          callback(smtpError(451, 'Insufficient system resources, try again later'));
          return;
        }
        const raw = Buffer.concat(chunks);
        chunks = [];
        const accepted = [...(recipients.get(session.id)?.values() ?? [])];
        recipients.delete(session.id);
        const envelopeFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : null;
        // The bytes stay counted until the mail is stored (the copy in `raw` is held until then).
        storeForTenants(deps, raw, accepted, envelopeFrom)
          .finally(release)
          .then(
            () => callback(),
            (err: unknown) => {
              logger.error({ err }, 'storing a received mail failed');
              callback(smtpError(451, 'Temporary failure, try again later'));
            },
          );
      });
    },
    onClose(session) {
      recipients.delete(session.id);
    },
  });
  server.on('error', (err) => logger.warn({ err }, 'smtp receiver error'));
  const port = options.port ?? cfg.smtpPort ?? 0;
  const host = options.host ?? cfg.smtpHost;
  let listener: ReturnType<SMTPServer['listen']> | undefined;
  await new Promise<void>((resolve, reject) => {
    listener = server.listen(port, host, () => resolve());
    listener.once('error', reject);
  });
  const address = listener?.address() as AddressInfo;
  logger.info({ host, port: address.port, domain: cfg.mailDomain }, 'SMTP receiver listening');
  return {
    port: address.port,
    host,
    bytesInFlight: () => inFlight,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** One stored mail per tenant the recipients belong to (an org's address first: it names the buyer org). */
async function storeForTenants(
  deps: Deps,
  raw: Buffer,
  addresses: ReceivedMailAddress[],
  envelopeFrom: string | null,
): Promise<void> {
  const byTenant = new Map<string, ReceivedMailAddress>();
  for (const a of addresses) {
    const current = byTenant.get(a.tenant_id);
    if (!current || (current.owner_type !== 'org' && a.owner_type === 'org')) byTenant.set(a.tenant_id, a);
  }
  for (const address of byTenant.values()) {
    await storeIncomingMail(deps, {
      tenantId: address.tenant_id,
      channel: 'smtp',
      raw,
      addressId: address.id,
      buyerOrgId: address.owner_type === 'org' ? address.owner_id : null,
      envelopeFrom,
    });
  }
}
