import { isIP } from 'node:net';
import type { ImapFlow } from 'imapflow';
import type { Deps } from '../../../platform/deps.js';
import { OutboundUrlError, resolveOutboundTarget } from '../../../platform/net/outbound-guard.js';
import { decryptSecret } from '../../orgs/index.js';
import { claimMailboxPoll, findMailboxById, finishMailboxPoll, setMailboxPosition } from './mail.repo.js';
import type { ReceivedMailbox } from './mail.tables.js';
import { storeIncomingMail, storeRefusedMail } from './store-mail.js';

/** Messages one poll takes at most (the next poll, scheduled at once, continues). */
export const MAX_MESSAGES_PER_POLL = 50;
/** How long a poll holds its mailbox (a crashed poll's lease expires after it). */
export const POLL_LEASE_MS = 10 * 60_000;

/** The AES-GCM context of a mailbox password (a ciphertext copied to another row does not decrypt). */
export const passwordContext = (tenantId: string, mailboxId: string) => `received-mailbox:${tenantId}:${mailboxId}`;

/** The outcome of one poll. */
export interface PollResult {
  readonly ok: boolean;
  /** Mails stored (including duplicates and refused ones). */
  readonly count: number;
  readonly error: string | null;
  /** More messages wait than one poll takes. */
  readonly more: boolean;
}

/** Why the outbound guard refuses an IMAP host, or null when it may be used: checked on save and before each poll. */
export async function checkImapHost(
  deps: Deps,
  host: string,
  port: number,
): Promise<{ address: string; refused: null } | { address: null; refused: string }> {
  const literal = isIP(host) === 6 ? `[${host}]` : host;
  try {
    const target = await resolveOutboundTarget(`http://${literal}:${port}/`, {
      allowedHosts: deps.config.delivery.outboundAllowedHosts,
    });
    return { address: target.address, refused: null };
  } catch (err) {
    if (err instanceof OutboundUrlError) return { address: null, refused: err.reason };
    throw err;
  }
}

/** A client for the mailbox, connected to the address the guard checked (TLS still verifies the host name). */
async function connect(deps: Deps, mailbox: ReceivedMailbox): Promise<ImapFlow> {
  const checked = await checkImapHost(deps, mailbox.host, mailbox.port);
  if (checked.refused !== null) throw new Error(`出站地址被拒绝 (${checked.refused})`);
  const timeout = deps.config.collectMail.imapTimeoutMs;
  const maxBytes = deps.config.collectMail.maxMessageBytes;
  const servername = isIP(mailbox.host) === 0 ? mailbox.host : undefined;
  // Loaded on the first poll: most nodes never poll a mailbox, and the client with its MIME stack is a few hundred
  // ms of start-up.
  const { ImapFlow } = await import('imapflow');
  const client = new ImapFlow({
    host: checked.address,
    port: mailbox.port,
    secure: mailbox.secure === 1,
    ...(servername ? { servername, tls: { servername } } : {}),
    auth: {
      user: mailbox.username,
      pass: decryptSecret(deps.config, mailbox.password_enc, passwordContext(mailbox.tenant_id, mailbox.id)),
    },
    logger: false,
    disableAutoIdle: true,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout * 2,
    maxLiteralSize: maxBytes + 65_536,
    maxResponseSize: maxBytes + 131_072,
  });
  // A connection error after connect() resolved is reported by the next command; without a listener it would crash.
  client.on('error', () => {});
  await client.connect();
  return client;
}

const describe = (err: unknown): string => {
  const e = err as { message?: string; responseText?: string; code?: string; authenticationFailed?: boolean };
  if (e?.authenticationFailed) return '登录失败：用户名或密码错误';
  return [e?.code, e?.responseText ?? e?.message].filter(Boolean).join(': ').slice(0, 500) || String(err);
};

/** Connects, logs in and opens the folder: what 测试连接 shows. */
export async function testMailbox(
  deps: Deps,
  mailbox: ReceivedMailbox,
): Promise<{ ok: boolean; error: string | null; messages: number | null }> {
  let client: ImapFlow | null = null;
  try {
    client = await connect(deps, mailbox);
    const status = await client.status(mailbox.folder, { messages: true });
    return { ok: true, error: null, messages: status ? (status.messages ?? null) : null };
  } catch (err) {
    return { ok: false, error: describe(err), messages: null };
  } finally {
    await client?.logout().catch(() => client?.close());
  }
}

/**
 * Polls a mailbox once, holding its lease: stores every message with a UID above the last one (a new UIDVALIDITY
 * starts over; Message-IDs keep that from importing twice), each in one transaction with the new position, then
 * moves or flags it. Records the result on the mailbox. Null when another poll holds the mailbox.
 */
export async function pollMailboxOnce(deps: Deps, mailboxId: string): Promise<PollResult | null> {
  const db = deps.db.kysely;
  const now = deps.clock.now();
  if (!(await claimMailboxPoll(db, mailboxId, now, now + POLL_LEASE_MS))) return null;
  let result: PollResult = { ok: false, count: 0, error: '邮箱不存在', more: false };
  try {
    const mailbox = await findMailboxById(db, mailboxId);
    if (mailbox) result = await poll(deps, mailbox);
  } finally {
    await finishMailboxPoll(db, mailboxId, {
      at: deps.clock.now(),
      ok: result.ok,
      error: result.error,
      count: result.count,
    });
  }
  return result;
}

async function poll(deps: Deps, mailbox: ReceivedMailbox): Promise<PollResult> {
  let client: ImapFlow | null = null;
  let count = 0;
  try {
    client = await connect(deps, mailbox);
    if (mailbox.after_import === 'move' && mailbox.move_to) {
      await client.mailboxCreate(mailbox.move_to).catch(() => {}); // exists already: fine
    }
    const lock = await client.getMailboxLock(mailbox.folder);
    try {
      const opened = client.mailbox;
      if (!opened) throw new Error('folder not opened');
      const uidValidity = String(opened.uidValidity);
      const lastUid = mailbox.uid_validity === uidValidity ? Number(mailbox.last_uid) : 0;
      const found = (await client.search({ uid: `${lastUid + 1}:*` }, { uid: true })) || [];
      // `n:*` also matches the highest UID when it is below n: keep only new ones.
      const uids = found.filter((u) => u > lastUid).sort((a, b) => a - b);
      const batch = uids.slice(0, MAX_MESSAGES_PER_POLL);
      const sizes = new Map<number, number>();
      if (batch.length > 0) {
        for await (const m of client.fetch(batch.join(','), { uid: true, size: true }, { uid: true })) {
          sizes.set(m.uid, m.size ?? 0);
        }
      }
      const base = {
        tenantId: mailbox.tenant_id,
        channel: 'imap' as const,
        mailboxId: mailbox.id,
        buyerOrgId: mailbox.buyer_org_id,
      };
      for (const uid of batch) {
        const size = sizes.get(uid) ?? 0;
        const position = { uidValidity, uid };
        if (size > deps.config.collectMail.maxMessageBytes) {
          await storeRefusedMail(deps, {
            ...base,
            position,
            messageId: `imap:${mailbox.id}:${uidValidity}:${uid}`,
            size,
            from: null,
            reason: `邮件超过 ${deps.config.collectMail.maxMessageBytes} 字节，未导入`,
          });
        } else {
          const message = await client.fetchOne(String(uid), { source: true }, { uid: true });
          const source = message ? message.source : undefined;
          if (!source) continue;
          await storeIncomingMail(deps, { ...base, raw: Buffer.from(source), position });
        }
        count++;
        if (mailbox.after_import === 'move' && mailbox.move_to) {
          await client.messageMove(String(uid), mailbox.move_to, { uid: true });
        } else if (mailbox.after_import === 'flag') {
          await client.messageFlagsAdd(String(uid), ['\\Seen', '\\Flagged'], { uid: true });
        }
      }
      if (uids.length === 0 && mailbox.uid_validity !== uidValidity) {
        // A new folder generation without new messages: remember it so the next poll searches from its start.
        await setMailboxPosition(deps.db.kysely, mailbox.id, uidValidity, lastUid);
      }
      return { ok: true, count, error: null, more: uids.length > batch.length };
    } finally {
      lock.release();
    }
  } catch (err) {
    return { ok: false, count, error: describe(err), more: false };
  } finally {
    await client?.logout().catch(() => client?.close());
  }
}
