import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/database.js';
import { fetchPage } from '../../platform/db/pagination.js';
import { newId } from '../../platform/ids.js';
import type { BuyerChannel, OutboxMessage } from './delivery.tables.js';
import { outboxAttachmentsJson } from './stored-json.js';

/** Metadata of an attachment kept in the outbox (the bytes stay in the documents store). */
export interface OutboxAttachment {
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
}

/** Stores a message that would have been sent; returns its id (used as the message id). */
export async function insertOutboxMessage(
  db: Kysely<Database>,
  input: {
    tenantId: string;
    channel: BuyerChannel;
    recipient: string;
    subject: string | null;
    body: string;
    attachments: OutboxAttachment[];
    invoiceId: string | null;
    now: number;
  },
): Promise<string> {
  const id = newId('obx', input.now);
  await db
    .insertInto('outbox_messages')
    .values({
      id,
      tenant_id: input.tenantId,
      channel: input.channel,
      recipient: input.recipient,
      subject: input.subject,
      body: input.body,
      attachments_json: outboxAttachmentsJson.encode(input.attachments),
      invoice_id: input.invoiceId,
      created_at: input.now,
    })
    .execute();
  return id;
}

/** The tenant's outbox, newest first, cursor-paginated by id. */
export async function listOutbox(
  db: Kysely<Database>,
  tenantId: string,
  filters: { channel?: BuyerChannel; recipient?: string },
  page: { cursor?: string; limit: number },
): Promise<{ items: OutboxMessage[]; nextCursor: string | null }> {
  let q = db.selectFrom('outbox_messages').selectAll().where('tenant_id', '=', tenantId);
  if (filters.channel) q = q.where('channel', '=', filters.channel);
  if (filters.recipient) q = q.where('recipient', '=', filters.recipient);
  return fetchPage(q, page);
}
