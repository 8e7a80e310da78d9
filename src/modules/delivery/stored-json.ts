import { Type } from 'typebox';
import { type StoredJson, storedJson } from '../../platform/stored-json.js';
import type { OutboxAttachment } from './outbox.repo.js';

/** `outbox_messages.attachments_json`: what the message carried (names, types, sizes, SHA-256; not the files). */
export const outboxAttachmentsJson: StoredJson<OutboxAttachment[]> = storedJson(
  'outbox_messages.attachments_json',
  Type.Array(
    Type.Object({ fileName: Type.String(), contentType: Type.String(), size: Type.Number(), sha256: Type.String() }),
  ),
);

/**
 * `webhook_deliveries.payload`: the webhook body as sent (`{ id, type, createdAt, version, data }`); readers use
 * its `data` (scan completes the order links in it at send time).
 */
export const webhookBodyJson = storedJson(
  'webhook_deliveries.payload',
  Type.Object({ data: Type.Optional(Type.Record(Type.String(), Type.Unknown())) }),
);
