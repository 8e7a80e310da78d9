import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { toIsoCst } from '../../../../platform/clock.js';
import type { Deps } from '../../../../platform/deps.js';
import { AppError } from '../../../../platform/errors/app-error.js';
import { page, responses } from '../../../../platform/http/schemas.js';
import { auditSnapshot, withAuditDeps } from '../../../audit/index.js';
import { auditMetaOf, getAuth } from '../../../auth/index.js';
import {
  type AddressView as Address,
  listCollectionAddresses,
  rotateCollectionAddress,
  toAddressView,
} from '../collection-addresses.js';
import { RECEIVED_MAIL_NOT_FOUND } from '../mail.errors.js';
import { findMail, listMailsPage } from '../mail.repo.js';
import type { ReceivedMail, ReceivedMailbox } from '../mail.tables.js';
import { mailDetailJson } from '../mail-detail.js';
import {
  createMailbox,
  deleteMailbox,
  getMailboxOrThrow,
  listMailboxes,
  pollMailboxNow,
  testMailboxConnection,
  toMailboxView,
  updateMailbox,
} from '../mailboxes.service.js';
import {
  AddressList,
  AddressView,
  CreateMailboxBody,
  IdParams,
  MailboxTestReply,
  MailboxView,
  MailListQuery,
  MailView,
  PatchMailboxBody,
} from './mail.schemas.js';

const iso = (ms: number | null) => (ms === null ? null : toIsoCst(ms));

function mailView(row: ReceivedMail) {
  return {
    id: row.id,
    channel: row.channel,
    mailboxId: row.mailbox_id,
    addressId: row.address_id,
    buyerOrgId: row.buyer_org_id,
    messageId: row.message_id,
    from: row.from_address,
    subject: row.subject,
    size: Number(row.size),
    receivedAt: toIsoCst(Number(row.received_at)),
    outcome: row.outcome,
    detail: row.detail === null ? null : mailDetailJson.decode(row.detail),
    processedAt: iso(row.processed_at === null ? null : Number(row.processed_at)),
  };
}

function addressView(a: Address) {
  return { ...a, createdAt: toIsoCst(a.createdAt), rotatedAt: iso(a.rotatedAt) };
}

/** 收票邮箱: collection addresses (SMTP receiver), IMAP mailboxes, and every mail that came in with its outcome. */
export const mailRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const common = { tags: ['collection'], security: [{ bearerAuth: [] }] };
  const mailboxView = (row: ReceivedMailbox) => {
    const v = toMailboxView(row, deps.clock.now());
    return {
      ...v,
      lastPoll: v.lastPoll ? { ...v.lastPoll, at: toIsoCst(v.lastPoll.at) } : null,
      createdAt: toIsoCst(v.createdAt),
      updatedAt: toIsoCst(v.updatedAt),
    };
  };

  app.get(
    '/api/v1/received-addresses',
    {
      config: { permission: 'received.read' },
      schema: {
        ...common,
        summary: '收票地址：每个组织和每个用户一个（首次查询时生成）',
        response: responses({ 200: AddressList }),
      },
    },
    async (request) => {
      const items = await listCollectionAddresses(deps, getAuth(request).tenantId);
      return {
        receiverEnabled: deps.config.collectMail.smtpPort !== null,
        domain: deps.config.collectMail.mailDomain,
        items: items.map(addressView),
      };
    },
  );

  app.post(
    '/api/v1/received-addresses/:id/rotate',
    {
      config: { permission: 'received.manage' },
      schema: {
        ...common,
        summary: '更换收票地址（旧地址立即失效）',
        params: IdParams,
        response: responses({ 200: AddressView }),
      },
    },
    async (request) => {
      const { tenantId } = getAuth(request);
      const { after } = await withAuditDeps(
        deps,
        auditMetaOf(request),
        (d) => rotateCollectionAddress(d, tenantId, request.params.id),
        (r) => ({
          action: 'received.addresses.rotate',
          target: { type: 'received_address', id: r.after.id },
          before: auditSnapshot({ localPart: r.before.local_part }),
          after: auditSnapshot({ localPart: r.after.local_part }),
        }),
      );
      const owner = (await listCollectionAddresses(deps, tenantId)).find((a) => a.id === after.id);
      return addressView(toAddressView(deps, after, owner?.ownerName ?? ''));
    },
  );

  app.get(
    '/api/v1/received-mails',
    {
      config: { permission: 'received.read' },
      schema: {
        ...common,
        summary: '收到的邮件及导入结果（新的在前）',
        querystring: MailListQuery,
        response: responses({ 200: page(MailView) }),
      },
    },
    async (request) => {
      const { cursor, limit, ...filters } = request.query;
      const result = await listMailsPage(deps.db.kysely, getAuth(request).tenantId, filters, {
        cursor,
        limit: limit ?? 50,
      });
      return { items: result.items.map(mailView), nextCursor: result.nextCursor };
    },
  );

  app.get(
    '/api/v1/received-mails/:id',
    {
      config: { permission: 'received.read' },
      schema: { ...common, summary: '一封邮件的导入结果', params: IdParams, response: responses({ 200: MailView }) },
    },
    async (request) => {
      const row = await findMail(deps.db.kysely, getAuth(request).tenantId, request.params.id);
      if (!row) throw new AppError(RECEIVED_MAIL_NOT_FOUND);
      return mailView(row);
    },
  );

  app.get(
    '/api/v1/received-mailboxes',
    {
      config: { permission: 'received.read' },
      schema: {
        ...common,
        summary: 'IMAP 收票邮箱列表',
        response: responses({ 200: Type.Object({ items: Type.Array(MailboxView) }) }),
      },
    },
    async (request) => ({ items: (await listMailboxes(deps, getAuth(request).tenantId)).map(mailboxView) }),
  );

  app.post(
    '/api/v1/received-mailboxes',
    {
      config: { permission: 'received.manage' },
      schema: {
        ...common,
        summary: '添加 IMAP 收票邮箱（启用时立即收取一次）',
        body: CreateMailboxBody,
        response: responses({ 201: MailboxView }, [400, 401, 422]),
      },
    },
    async (request, reply) => {
      const b = request.body;
      const row = await createMailbox(
        deps,
        getAuth(request).tenantId,
        {
          ...b,
          port: b.port ?? 993,
          secure: b.secure ?? true,
          folder: b.folder ?? 'INBOX',
          pollIntervalSeconds: b.pollIntervalSeconds ?? 300,
          afterImport: b.afterImport ?? 'flag',
          enabled: b.enabled ?? true,
        },
        auditMetaOf(request),
      );
      return reply.status(201).send(mailboxView(row));
    },
  );

  app.get(
    '/api/v1/received-mailboxes/:id',
    {
      config: { permission: 'received.read' },
      schema: { ...common, summary: 'IMAP 收票邮箱', params: IdParams, response: responses({ 200: MailboxView }) },
    },
    async (request) => mailboxView(await getMailboxOrThrow(deps, getAuth(request).tenantId, request.params.id)),
  );

  app.patch(
    '/api/v1/received-mailboxes/:id',
    {
      config: { permission: 'received.manage' },
      schema: {
        ...common,
        summary: '修改 IMAP 收票邮箱（password 不传则不变）',
        params: IdParams,
        body: PatchMailboxBody,
        response: responses({ 200: MailboxView }, [400, 401, 404, 422]),
      },
    },
    async (request) =>
      mailboxView(
        await updateMailbox(deps, getAuth(request).tenantId, request.params.id, request.body, auditMetaOf(request)),
      ),
  );

  app.delete(
    '/api/v1/received-mailboxes/:id',
    {
      config: { permission: 'received.manage' },
      schema: { ...common, summary: '删除 IMAP 收票邮箱', params: IdParams, response: responses({ 204: Type.Null() }) },
    },
    async (request, reply) => {
      await deleteMailbox(deps, getAuth(request).tenantId, request.params.id, auditMetaOf(request));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/received-mailboxes/:id/poll',
    {
      config: { permission: 'received.manage' },
      schema: {
        ...common,
        summary: '立即收取（结果见 lastPoll；导入在后台进行，见 /api/v1/received-mails）',
        params: IdParams,
        response: responses({ 200: MailboxView }, [400, 401, 404, 409]),
      },
    },
    async (request) => mailboxView(await pollMailboxNow(deps, getAuth(request).tenantId, request.params.id)),
  );

  app.post(
    '/api/v1/received-mailboxes/:id/test',
    {
      config: { permission: 'received.manage' },
      schema: {
        ...common,
        summary: '测试连接：登录并打开文件夹',
        params: IdParams,
        response: responses({ 200: MailboxTestReply }),
      },
    },
    async (request) => testMailboxConnection(deps, getAuth(request).tenantId, request.params.id),
  );
};
