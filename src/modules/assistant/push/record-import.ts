/**
 * Recording an import (导入单据) for its expense system: the `assistant_imports` row with the push payload, and the
 * signal that wakes the WebSocket / long-poll of its link key on every node — both in the caller's transaction
 * (docs/assistant.md#push). Also the message an import becomes when it is delivered.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../../platform/db/database.js';
import { newId, sha256Hex } from '../../../platform/ids.js';
import type { PublishInTransaction } from '../../../platform/signals/index.js';
import type { AssistantEvent, AssistantImport } from '../assistant.tables.js';
import { insertImport } from './record-import.repo.js';

/** The signal topic of new imports; the key is {@link importSignalKey}. */
export const IMPORT_SIGNAL_TOPIC = 'assistant.import';

/** How long an undelivered import outlives its event. */
export const IMPORT_GRACE_MS = 10 * 60_000;

/**
 * The signal key of a tenant's link key: hashed, so the wire never carries the link key and stays far below
 * NOTIFY's size limit.
 */
export const importSignalKey = (tenantId: string, linkKey: string) => sha256Hex(`${tenantId}\n${linkKey}`).slice(0, 32);

/** An attachment of an imported invoice: its original file, fetched by the expense system with its own token. */
export interface PushAttachment {
  readonly url: string;
  /** Kingdee file type codes: 1 pdf, 2 image, 4 ofd, 9 xml. */
  readonly fileType: number;
  readonly invoiceNo: string | null;
  readonly fileName: string | null;
  readonly invoiceId: string;
}

/** What the pages put in an import: `invoiceData` = AssistantItems (pool views) + `claimAmount`; the files. */
export interface ImportPayload {
  readonly invoiceData: readonly unknown[];
  readonly attachData: readonly PushAttachment[];
}

/** One push message as delivered (one WebSocket text frame, or one element of the long-poll's `imports`). */
export interface PushMessage extends ImportPayload {
  readonly importId: string;
  readonly resource: string;
  readonly billId: string;
  readonly linkKey: string;
}

export interface RecordImportInput {
  readonly tenantId: string;
  /** The event whose page imported: its link key, resource, bill and expiry. */
  readonly event: AssistantEvent;
  readonly payload: ImportPayload;
  readonly now: number;
}

/** What `payload_json` holds: the payload plus the bill it is for (the message needs no other read). */
interface StoredPayload extends ImportPayload {
  readonly resource: string;
  readonly billId: string;
}

/**
 * Inserts the import row and publishes its signal, in the caller's transaction: call it inside
 * `deps.signals.withTransaction(db, (trx, publish) => recordImport(trx, publish, …))`, so consumers on every node are
 * woken exactly when the row is visible (PostgreSQL NOTIFY is sent at the commit; nothing on rollback). It waits for a
 * consumer until the event's expiry plus {@link IMPORT_GRACE_MS}. Returns the import id.
 */
export async function recordImport(
  trx: Transaction<Database> | Kysely<Database>,
  publish: PublishInTransaction,
  input: RecordImportInput,
): Promise<string> {
  const { event } = input;
  const id = newId('aim', input.now);
  const stored: StoredPayload = { resource: event.resource, billId: event.bill_id, ...input.payload };
  await insertImport(trx, {
    id,
    tenant_id: input.tenantId,
    event_id: event.id,
    link_key: event.link_key,
    payload_json: JSON.stringify(stored),
    invoice_count: input.payload.invoiceData.length,
    created_at: input.now,
    expires_at: Math.max(Number(event.expires_at), input.now) + IMPORT_GRACE_MS,
    consumed_at: null,
    consumed_by: null,
  });
  publish(IMPORT_SIGNAL_TOPIC, importSignalKey(input.tenantId, event.link_key), id);
  return id;
}

/** The message of a claimed import. */
export function toPushMessage(row: AssistantImport): PushMessage {
  const stored = JSON.parse(row.payload_json) as StoredPayload;
  return {
    importId: row.id,
    resource: stored.resource,
    billId: stored.billId,
    linkKey: row.link_key,
    invoiceData: stored.invoiceData,
    attachData: stored.attachData,
  };
}

const NODE = `${os.hostname().slice(0, 40)}:${process.pid}`;

/** Who claims (`consumed_by`): the transport, this node (host:pid), and a random tag of the connection or request. */
export function claimerId(transport: 'socket' | 'poll'): string {
  return `${transport}:${NODE}:${randomBytes(6).toString('base64url')}`;
}
