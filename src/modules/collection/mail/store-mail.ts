import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/database.js';
import type { Deps } from '../../../platform/deps.js';
import { newId } from '../../../platform/ids.js';
import { findMailByMessageId, insertMailIfNew, insertMailRaw, setMailboxPosition } from './mail.repo.js';
import type { MailChannel } from './mail.tables.js';
import { mailDetailJson } from './mail-detail.js';
import { IMPORT_MAIL_TASK } from './mail-task-ids.js';
import { headerBlock, headerValue, messageIdOf } from './raw-headers.js';

/** Longest sender address and subject kept on the mail's row. */
const MAX_FROM = 320;
const MAX_SUBJECT = 500;

/** A mail for one tenant, as a channel received it. */
export interface IncomingMail {
  readonly tenantId: string;
  readonly channel: MailChannel;
  readonly raw: Buffer;
  readonly mailboxId?: string;
  readonly addressId?: string;
  readonly buyerOrgId?: string | null;
  /** The envelope sender (SMTP MAIL FROM), used when the mail has no From header. */
  readonly envelopeFrom?: string | null;
  /** An IMAP mailbox's position to record with the mail (same transaction): UIDVALIDITY and the message's UID. */
  readonly position?: { readonly uidValidity: string; readonly uid: number };
}

export interface StoredMail {
  readonly mailId: string;
  readonly duplicateOf: string | null;
}

/** The sender's address from a From header (`Name <a@b>` or `a@b`), lower-cased, or null. */
export function senderOf(raw: Uint8Array, envelopeFrom?: string | null): string | null {
  const from = headerValue(headerBlock(raw), 'from')?.slice(0, 2000);
  const bracketed = from?.match(/<([^<>\s]{3,320})>/)?.[1];
  const bare = from?.match(/[^\s<>"',;:]{1,64}@[^\s<>"',;:]{1,255}/)?.[0];
  const address = bracketed ?? bare ?? envelopeFrom ?? null;
  return address ? address.toLowerCase().slice(0, MAX_FROM) : null;
}

/**
 * Records a mail durably before the channel acknowledges it (SMTP answers 250, IMAP moves or flags it only after
 * this committed): the first mail of a Message-ID in the tenant is stored `pending` with its raw bytes and its import
 * job, in one transaction; a later one with the same Message-ID is recorded as `duplicate` of it and imports nothing.
 */
export async function storeIncomingMail(deps: Deps, mail: IncomingMail): Promise<StoredMail> {
  const now = deps.clock.now();
  const messageId = messageIdOf(mail.raw);
  const from = senderOf(mail.raw, mail.envelopeFrom);
  const stored = await deps.db.kysely.transaction().execute(async (trx) => {
    const base = {
      tenant_id: mail.tenantId,
      channel: mail.channel,
      mailbox_id: mail.mailboxId ?? null,
      address_id: mail.addressId ?? null,
      buyer_org_id: mail.buyerOrgId ?? null,
      message_id: messageId,
      from_address: from,
      size: mail.raw.byteLength,
      received_at: now,
    };
    const id = newId('rml', now);
    const inserted = await insertMailIfNew(trx, {
      ...base,
      id,
      dedupe_key: messageId,
      subject: null,
      outcome: 'pending',
      detail: null,
      processed_at: null,
    });
    let result: StoredMail;
    if (inserted) {
      await insertMailRaw(trx, id, mail.raw);
      await deps.jobs.enqueue(trx, IMPORT_MAIL_TASK, { mailId: id }, { tenantId: mail.tenantId });
      result = { mailId: id, duplicateOf: null };
    } else {
      const first = await findMailByMessageId(trx, mail.tenantId, messageId);
      await insertDuplicate(trx, { ...base, id, subject: first?.subject ?? null }, first?.id ?? null, now);
      result = { mailId: id, duplicateOf: first?.id ?? null };
    }
    if (mail.mailboxId && mail.position) {
      await setMailboxPosition(trx, mail.mailboxId, mail.position.uidValidity, mail.position.uid);
    }
    return result;
  });
  if (stored.duplicateOf === null) deps.jobs.notify();
  return stored;
}

async function insertDuplicate(
  trx: Kysely<Database>,
  row: Omit<Parameters<typeof insertMailIfNew>[1], 'dedupe_key' | 'outcome' | 'detail' | 'processed_at'>,
  duplicateOf: string | null,
  now: number,
): Promise<void> {
  await insertMailIfNew(trx, {
    ...row,
    dedupe_key: null,
    outcome: 'duplicate',
    detail: mailDetailJson.encode({ files: [], duplicateOf }),
    processed_at: now,
  });
}

/** Records a mail that could not be taken in at all (an IMAP message over the size limit): `failed`, no import. */
export async function storeRefusedMail(
  deps: Deps,
  mail: Omit<IncomingMail, 'raw'> & { messageId: string; size: number; from: string | null; reason: string },
): Promise<void> {
  const now = deps.clock.now();
  await deps.db.kysely.transaction().execute(async (trx) => {
    await insertMailIfNew(trx, {
      id: newId('rml', now),
      tenant_id: mail.tenantId,
      channel: mail.channel,
      mailbox_id: mail.mailboxId ?? null,
      address_id: mail.addressId ?? null,
      buyer_org_id: mail.buyerOrgId ?? null,
      message_id: mail.messageId,
      dedupe_key: null,
      from_address: mail.from?.slice(0, MAX_FROM) ?? null,
      subject: null,
      size: mail.size,
      received_at: now,
      outcome: 'failed',
      detail: mailDetailJson.encode({ files: [], error: mail.reason }),
      processed_at: now,
    });
    if (mail.mailboxId && mail.position) {
      await setMailboxPosition(trx, mail.mailboxId, mail.position.uidValidity, mail.position.uid);
    }
  });
}

/** A subject for the list: control characters become spaces, at most {@link MAX_SUBJECT} characters. */
export function capSubject(subject: string | undefined | null): string | null {
  if (!subject) return null;
  let out = '';
  for (const ch of subject.slice(0, MAX_SUBJECT)) {
    const code = ch.codePointAt(0) ?? 0;
    out += code < 0x20 || code === 0x7f ? ' ' : ch;
  }
  return out;
}
