import { Type } from 'typebox';
import { IsoTime, PageQuery } from '../../../../platform/http/schemas.js';
import { ADDRESS_OWNER_TYPES, AFTER_IMPORT_ACTIONS, MAIL_CHANNELS, MAIL_OUTCOMES } from '../mail.tables.js';
import { MailDetail } from '../mail-detail.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(s: T) => Type.Union([s, Type.Null()]);

export const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

export const AddressView = Type.Object({
  id: Type.String(),
  ownerType: Type.Enum(ADDRESS_OWNER_TYPES),
  ownerId: Type.String(),
  ownerName: Type.String(),
  address: Nullable(Type.String({ description: 'inv-…@COLLECT_MAIL_DOMAIN; null while no domain is configured' })),
  localPart: Type.String(),
  createdAt: IsoTime,
  rotatedAt: Nullable(IsoTime),
});

export const AddressList = Type.Object({
  /** Whether the built-in SMTP receiver runs (COLLECT_SMTP_PORT). */
  receiverEnabled: Type.Boolean(),
  domain: Nullable(Type.String()),
  items: Type.Array(AddressView),
});

export const MailView = Type.Object({
  id: Type.String(),
  channel: Type.Enum(MAIL_CHANNELS),
  mailboxId: Nullable(Type.String()),
  addressId: Nullable(Type.String()),
  buyerOrgId: Nullable(Type.String()),
  messageId: Type.String(),
  from: Nullable(Type.String()),
  subject: Nullable(Type.String()),
  size: Type.Integer(),
  receivedAt: IsoTime,
  outcome: Type.Enum(MAIL_OUTCOMES),
  detail: Nullable(MailDetail),
  processedAt: Nullable(IsoTime),
});

export const MailListQuery = Type.Object({
  ...PageQuery,
  mailboxId: Type.Optional(Type.String({ maxLength: 64 })),
  channel: Type.Optional(Type.Enum(MAIL_CHANNELS)),
  outcome: Type.Optional(Type.Enum(MAIL_OUTCOMES)),
});

const HOST_PATTERN = '^[A-Za-z0-9.:\\[\\]-]+$';
const mailboxFields = {
  name: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
  buyerOrgId: Type.Optional(Nullable(Type.String({ maxLength: 64, description: '收到的发票归属的组织 id' }))),
  host: Type.String({ minLength: 1, maxLength: 253, pattern: HOST_PATTERN }),
  port: Type.Integer({ minimum: 1, maximum: 65535 }),
  secure: Type.Boolean({ description: 'true：直接 TLS（993）；false：服务器支持时用 STARTTLS' }),
  user: Type.String({ minLength: 1, maxLength: 320 }),
  password: Type.String({ minLength: 1, maxLength: 1000, description: '加密保存，从不返回' }),
  folder: Type.String({ minLength: 1, maxLength: 200 }),
  pollIntervalSeconds: Type.Integer({ minimum: 60, maximum: 86_400 }),
  afterImport: Type.Enum(AFTER_IMPORT_ACTIONS),
  moveTo: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200 }))),
  enabled: Type.Boolean(),
};

export const CreateMailboxBody = Type.Object(
  {
    ...mailboxFields,
    folder: Type.Optional(mailboxFields.folder),
    secure: Type.Optional(mailboxFields.secure),
    port: Type.Optional(mailboxFields.port),
    pollIntervalSeconds: Type.Optional(mailboxFields.pollIntervalSeconds),
    afterImport: Type.Optional(mailboxFields.afterImport),
    enabled: Type.Optional(mailboxFields.enabled),
  },
  { additionalProperties: false },
);

export const PatchMailboxBody = Type.Partial(Type.Object(mailboxFields), { additionalProperties: false });

export const MailboxView = Type.Object({
  id: Type.String(),
  name: Nullable(Type.String()),
  buyerOrgId: Nullable(Type.String()),
  host: Type.String(),
  port: Type.Integer(),
  secure: Type.Boolean(),
  user: Type.String(),
  folder: Type.String(),
  pollIntervalSeconds: Type.Integer(),
  afterImport: Type.Enum(AFTER_IMPORT_ACTIONS),
  moveTo: Nullable(Type.String()),
  enabled: Type.Boolean(),
  uidValidity: Nullable(Type.String()),
  lastUid: Type.Integer(),
  lastPoll: Nullable(
    Type.Object({ at: IsoTime, ok: Type.Boolean(), error: Nullable(Type.String()), count: Type.Integer() }),
  ),
  polling: Type.Boolean(),
  createdAt: IsoTime,
  updatedAt: IsoTime,
});

export const MailboxTestReply = Type.Object({
  ok: Type.Boolean(),
  error: Nullable(Type.String()),
  messages: Nullable(Type.Integer({ description: '文件夹中的邮件数' })),
});
