import type { Selectable } from 'kysely';
import type { DbBool } from '../../../platform/db/database.js';

/** Who a collection address belongs to: one of the tenant's orgs (buyer/seller) or a user. */
export const ADDRESS_OWNER_TYPES = ['org', 'user'] as const;
export type AddressOwnerType = (typeof ADDRESS_OWNER_TYPES)[number];

/** How a mail came in. */
export const MAIL_CHANNELS = ['smtp', 'imap'] as const;
export type MailChannel = (typeof MAIL_CHANNELS)[number];

/** A mail's outcome: `pending` until its import job ran. */
export const MAIL_OUTCOMES = ['pending', 'imported', 'no_invoice', 'failed', 'duplicate'] as const;
export type MailOutcome = (typeof MAIL_OUTCOMES)[number];

/** What a mailbox does with a message once it is stored. */
export const AFTER_IMPORT_ACTIONS = ['move', 'flag', 'none'] as const;
export type AfterImportAction = (typeof AFTER_IMPORT_ACTIONS)[number];

/** A collection address `inv-<token>@COLLECT_MAIL_DOMAIN` (收票邮箱地址): one per org and per user, rotatable. */
export interface ReceivedMailAddressTable {
  id: string;
  tenant_id: string;
  owner_type: AddressOwnerType;
  /** The org id or user id. */
  owner_id: string;
  /** Lower-case local part, unique across the installation (the RCPT lookup is an index hit). */
  local_part: string;
  created_at: number;
  rotated_at: number | null;
}

/** An IMAP mailbox polled for invoice mail. */
export interface ReceivedMailboxTable {
  id: string;
  tenant_id: string;
  /** The org whose invoices arrive here (the items' buyerOrgId), or null. */
  buyer_org_id: string | null;
  name: string | null;
  host: string;
  port: number;
  /** 1: TLS from the start (993); 0: STARTTLS when offered. */
  secure: DbBool;
  username: string;
  /** AES-256-GCM, like business-system secrets; never returned. */
  password_enc: string;
  folder: string;
  poll_interval_seconds: number;
  after_import: AfterImportAction;
  move_to: string | null;
  enabled: DbBool;
  /** UIDVALIDITY of the folder when last_uid was read (decimal text: it is a 32-bit unsigned). */
  uid_validity: string | null;
  last_uid: number;
  /** The scheduled poll job's sequence: a poll job of another sequence is stale and does nothing. */
  poll_seq: number;
  /** A poll holds the mailbox until this time (no two polls at once). */
  polling_until: number | null;
  last_poll_at: number | null;
  last_poll_ok: DbBool | null;
  last_poll_error: string | null;
  /** Mails stored by the last poll. */
  last_poll_count: number | null;
  created_at: number;
  updated_at: number;
}

/** One mail that came in, its outcome and per-file results. */
export interface ReceivedMailTable {
  id: string;
  tenant_id: string;
  channel: MailChannel;
  mailbox_id: string | null;
  address_id: string | null;
  buyer_org_id: string | null;
  /** Message-ID header (without brackets), or `sha256:<hex>` of the raw mail when it has none. */
  message_id: string;
  /** message_id for the first mail of a Message-ID in a tenant, null for duplicates: unique (tenant_id, dedupe_key). */
  dedupe_key: string | null;
  from_address: string | null;
  subject: string | null;
  size: number;
  received_at: number;
  outcome: MailOutcome;
  /** JSON {@link MailDetail}. */
  detail: string | null;
  processed_at: number | null;
}

/** The raw mail kept until its import job ran. */
export interface ReceivedMailRawTable {
  mail_id: string;
  raw: Buffer;
}

export type ReceivedMailAddress = Selectable<ReceivedMailAddressTable>;
export type ReceivedMailbox = Selectable<ReceivedMailboxTable>;
export type ReceivedMail = Selectable<ReceivedMailTable>;

export interface MailTables {
  received_mail_addresses: ReceivedMailAddressTable;
  received_mailboxes: ReceivedMailboxTable;
  received_mails: ReceivedMailTable;
  received_mail_raw: ReceivedMailRawTable;
}
