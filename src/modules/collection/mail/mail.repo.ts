import type { Insertable, Kysely, Updateable } from 'kysely';
import type { Database } from '../../../platform/db/database.js';
import { fetchPage, type Page } from '../../../platform/db/pagination.js';
import type {
  MailChannel,
  MailOutcome,
  ReceivedMail,
  ReceivedMailAddress,
  ReceivedMailAddressTable,
  ReceivedMailbox,
  ReceivedMailboxTable,
  ReceivedMailTable,
} from './mail.tables.js';

type Db = Kysely<Database>;

// ---- collection addresses ----

export async function findAddressByLocalPart(db: Db, localPart: string): Promise<ReceivedMailAddress | undefined> {
  return db.selectFrom('received_mail_addresses').selectAll().where('local_part', '=', localPart).executeTakeFirst();
}

export async function findAddressesOfTenant(db: Db, tenantId: string): Promise<ReceivedMailAddress[]> {
  return db.selectFrom('received_mail_addresses').selectAll().where('tenant_id', '=', tenantId).orderBy('id').execute();
}

export async function findAddress(db: Db, tenantId: string, id: string): Promise<ReceivedMailAddress | undefined> {
  return db
    .selectFrom('received_mail_addresses')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Inserts an owner's address unless the owner has one already (a concurrent request made it). */
export async function insertAddressIfMissing(db: Db, row: Insertable<ReceivedMailAddressTable>): Promise<void> {
  await db
    .insertInto('received_mail_addresses')
    .values(row)
    .onConflict((oc) => oc.columns(['tenant_id', 'owner_type', 'owner_id']).doNothing())
    .execute();
}

export async function updateAddressLocalPart(
  db: Db,
  tenantId: string,
  id: string,
  localPart: string,
  now: number,
): Promise<void> {
  await db
    .updateTable('received_mail_addresses')
    .set({ local_part: localPart, rotated_at: now })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
}

// ---- mails ----

/** Inserts a mail; false when its (tenant, dedupe_key) exists already (the Message-ID was imported before). */
export async function insertMailIfNew(db: Db, row: Insertable<ReceivedMailTable>): Promise<boolean> {
  const result = await db
    .insertInto('received_mails')
    .values(row)
    .onConflict((oc) => oc.columns(['tenant_id', 'dedupe_key']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}

export async function findMailByMessageId(
  db: Db,
  tenantId: string,
  messageId: string,
): Promise<ReceivedMail | undefined> {
  return db
    .selectFrom('received_mails')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('dedupe_key', '=', messageId)
    .executeTakeFirst();
}

export async function insertMailRaw(db: Db, mailId: string, raw: Buffer): Promise<void> {
  await db.insertInto('received_mail_raw').values({ mail_id: mailId, raw }).execute();
}

export async function findMailRaw(db: Db, mailId: string): Promise<Buffer | undefined> {
  const row = await db.selectFrom('received_mail_raw').select('raw').where('mail_id', '=', mailId).executeTakeFirst();
  return row ? Buffer.from(row.raw) : undefined;
}

export async function deleteMailRaw(db: Db, mailId: string): Promise<void> {
  await db.deleteFrom('received_mail_raw').where('mail_id', '=', mailId).execute();
}

export async function findMailById(db: Db, id: string): Promise<ReceivedMail | undefined> {
  return db.selectFrom('received_mails').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findMail(db: Db, tenantId: string, id: string): Promise<ReceivedMail | undefined> {
  return db
    .selectFrom('received_mails')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export interface MailFilters {
  mailboxId?: string | undefined;
  channel?: MailChannel | undefined;
  outcome?: MailOutcome | undefined;
}

export async function listMailsPage(
  db: Db,
  tenantId: string,
  filters: MailFilters,
  page: { cursor?: string | undefined; limit: number },
): Promise<Page<ReceivedMail>> {
  let q = db.selectFrom('received_mails').selectAll().where('tenant_id', '=', tenantId);
  if (filters.mailboxId) q = q.where('mailbox_id', '=', filters.mailboxId);
  if (filters.channel) q = q.where('channel', '=', filters.channel);
  if (filters.outcome) q = q.where('outcome', '=', filters.outcome);
  return fetchPage(q, page);
}

/** Records the outcome of a pending mail; false when it was no longer pending (another run finished it). */
export async function finishMail(
  db: Db,
  id: string,
  outcome: Exclude<MailOutcome, 'pending' | 'duplicate'>,
  detail: string,
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable('received_mails')
    .set({ outcome, detail, processed_at: now })
    .where('id', '=', id)
    .where('outcome', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

// ---- mailboxes ----

export async function insertMailbox(db: Db, row: Insertable<ReceivedMailboxTable>): Promise<void> {
  await db.insertInto('received_mailboxes').values(row).execute();
}

export async function findMailbox(db: Db, tenantId: string, id: string): Promise<ReceivedMailbox | undefined> {
  return db
    .selectFrom('received_mailboxes')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function findMailboxById(db: Db, id: string): Promise<ReceivedMailbox | undefined> {
  return db.selectFrom('received_mailboxes').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findMailboxesOfTenant(db: Db, tenantId: string): Promise<ReceivedMailbox[]> {
  return db
    .selectFrom('received_mailboxes')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export async function updateMailboxRow(
  db: Db,
  tenantId: string,
  id: string,
  patch: Updateable<ReceivedMailboxTable>,
): Promise<void> {
  await db
    .updateTable('received_mailboxes')
    .set(patch)
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
}

export async function deleteMailboxRow(db: Db, tenantId: string, id: string): Promise<boolean> {
  const result = await db
    .deleteFrom('received_mailboxes')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Takes the poll lease (compare-and-set): false while another poll holds it. */
export async function claimMailboxPoll(db: Db, id: string, now: number, until: number): Promise<boolean> {
  const result = await db
    .updateTable('received_mailboxes')
    .set({ polling_until: until })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('polling_until', 'is', null), eb('polling_until', '<', now)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Advances the folder position after a message was stored (same transaction as the mail). */
export async function setMailboxPosition(db: Db, id: string, uidValidity: string, lastUid: number): Promise<void> {
  await db
    .updateTable('received_mailboxes')
    .set({ uid_validity: uidValidity, last_uid: lastUid })
    .where('id', '=', id)
    .execute();
}

/** Records a poll's result and releases the lease. */
export async function finishMailboxPoll(
  db: Db,
  id: string,
  result: { at: number; ok: boolean; error: string | null; count: number },
): Promise<void> {
  await db
    .updateTable('received_mailboxes')
    .set({
      polling_until: null,
      last_poll_at: result.at,
      last_poll_ok: result.ok ? 1 : 0,
      last_poll_error: result.error,
      last_poll_count: result.count,
    })
    .where('id', '=', id)
    .execute();
}

/** Moves the schedule to the next sequence (older scheduled polls become stale); answers the new sequence. */
export async function bumpMailboxPollSeq(db: Db, id: string): Promise<number> {
  await db
    .updateTable('received_mailboxes')
    .set((eb) => ({ poll_seq: eb('poll_seq', '+', 1) }))
    .where('id', '=', id)
    .execute();
  const row = await db.selectFrom('received_mailboxes').select('poll_seq').where('id', '=', id).executeTakeFirst();
  return Number(row?.poll_seq ?? 0);
}

/** The sender and subject as the parsed mail says (decoded), set by the import. */
export async function setMailHeaders(
  db: Db,
  id: string,
  headers: { from_address: string | null; subject: string | null },
): Promise<void> {
  await db.updateTable('received_mails').set(headers).where('id', '=', id).execute();
}

/** Moves the schedule from sequence `from` to `from + 1` (compare-and-set): false when it moved already. */
export async function advanceMailboxPollSeq(db: Db, id: string, from: number): Promise<boolean> {
  const result = await db
    .updateTable('received_mailboxes')
    .set({ poll_seq: from + 1 })
    .where('id', '=', id)
    .where('poll_seq', '=', from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
