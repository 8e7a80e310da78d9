import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { toIsoCst } from '../../../platform/clock.js';
import { ctxOf, type Deps } from '../../../platform/deps.js';
import { IsoTime, PageQuery, page, responses } from '../../../platform/http/schemas.js';
import { withAudit } from '../../audit/index.js';
import { auditMetaOf, getAuth } from '../../auth/index.js';
import { getScopedInvoiceOrThrow } from '../../invoicing/index.js';
import { listBuyerDeliveries } from '../buyer-deliveries.repo.js';
import type { BuyerDelivery, OutboxMessage } from '../delivery.tables.js';
import { getDeliverySettings, putDeliverySettings } from '../delivery-settings.js';
import { listOutbox } from '../outbox.repo.js';
import { resendToBuyer } from '../resend-to-buyer.js';
import { outboxAttachmentsJson } from '../stored-json.js';

const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

/** An e-mail or SMS of an invoice to its buyer. */
export const BuyerDeliveryView = Type.Object({
  id: Type.String(),
  channel: Type.String({ description: 'email | sms' }),
  recipient: Type.String(),
  trigger: Type.String({ description: 'issued (automatic) | manual (POST …/deliver)' }),
  status: Type.String({ description: 'pending | sent | failed' }),
  transport: nullable(Type.String({ description: 'smtp | sms_gateway | outbox' })),
  attempts: Type.Integer(),
  lastError: nullable(Type.String()),
  createdAt: IsoTime,
  sentAt: nullable(IsoTime),
});

const toBuyerDeliveryView = (d: BuyerDelivery) => ({
  id: d.id,
  channel: d.channel,
  recipient: d.recipient,
  trigger: d.trigger,
  status: d.status,
  transport: d.transport,
  attempts: d.attempts,
  lastError: d.last_error,
  createdAt: toIsoCst(d.created_at),
  sentAt: d.sent_at === null ? null : toIsoCst(d.sent_at),
});

/** A message kept in the outbox instead of being sent. */
export const OutboxMessageView = Type.Object({
  id: Type.String(),
  channel: Type.String(),
  recipient: Type.String(),
  subject: nullable(Type.String()),
  body: Type.String(),
  attachments: Type.Array(
    Type.Object({ fileName: Type.String(), contentType: Type.String(), size: Type.Integer(), sha256: Type.String() }),
  ),
  createdAt: IsoTime,
});

const toOutboxView = (m: OutboxMessage) => ({
  id: m.id,
  channel: m.channel,
  recipient: m.recipient,
  subject: m.subject,
  body: m.body,
  attachments: outboxAttachmentsJson.decode(m.attachments_json),
  createdAt: toIsoCst(m.created_at),
});

const DeliverBody = Type.Object(
  {
    email: Type.Optional(Type.String({ format: 'email', maxLength: 200, description: '收票邮箱' })),
    mobile: Type.Optional(Type.String({ maxLength: 11, pattern: '^1\\d{10}$', description: '收票手机号' })),
  },
  { additionalProperties: false, description: '都不填时发往开票请求中的 buyer.email / buyer.mobile' },
);

const SettingsView = Type.Object({
  emailOnIssue: Type.Boolean({ description: '开具后自动发送邮件' }),
  smsOnIssue: Type.Boolean({ description: '开具后自动发送短信' }),
  attachOfd: Type.Boolean({ description: '邮件附带 OFD (PDF 总是附带)' }),
  attachXml: Type.Boolean({ description: '邮件附带 XML' }),
});
const SettingsPatch = Type.Partial(SettingsView, { additionalProperties: false });

const SerialParams = Type.Object({ serialNo: Type.String({ maxLength: 32 }) });
const OutboxQuery = Type.Object({
  channel: Type.Optional(Type.Union([Type.Literal('email'), Type.Literal('sms')])),
  recipient: Type.Optional(Type.String({ maxLength: 200 })),
  ...PageQuery,
});

/** Sending invoices to buyers: re-send, per-invoice log, the local outbox and the tenant's settings. */
export const buyerDeliveryRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const common = { tags: ['delivery'], security: [{ bearerAuth: [] }] };

  app.post(
    '/api/v1/invoices/:serialNo/deliver',
    {
      config: { permission: 'invoices.deliver' },
      schema: {
        ...common,
        summary: '重新交付发票 (邮件/短信; 每张发票每小时最多 5 次)',
        params: SerialParams,
        body: DeliverBody,
        response: responses(
          { 202: Type.Object({ serialNo: Type.String(), deliveries: Type.Array(BuyerDeliveryView) }) },
          [400, 401, 404, 409, 422, 429],
        ),
      },
    },
    async (request, reply) => {
      const { tenantId } = getAuth(request);
      await getScopedInvoiceOrThrow(deps, request, request.params.serialNo);
      const result = await resendToBuyer(
        deps,
        { tenantId, serialNo: request.params.serialNo, ...request.body },
        auditMetaOf(request),
      );
      void reply.status(202);
      return { serialNo: result.invoice.serial_no, deliveries: result.deliveries.map(toBuyerDeliveryView) };
    },
  );

  app.get(
    '/api/v1/invoices/:serialNo/deliveries',
    {
      config: { permission: 'invoices.read' },
      schema: {
        ...common,
        summary: '发票交付记录 (邮件/短信)',
        params: SerialParams,
        response: responses({ 200: Type.Object({ items: Type.Array(BuyerDeliveryView) }) }),
      },
    },
    async (request) => {
      const invoice = await getScopedInvoiceOrThrow(deps, request, request.params.serialNo);
      const rows = await listBuyerDeliveries(deps.db.kysely, invoice.tenant_id, invoice.id);
      return { items: rows.map(toBuyerDeliveryView) };
    },
  );

  app.get(
    '/api/v1/outbox',
    {
      config: { permission: 'integrations.read' },
      schema: {
        ...common,
        summary: '本地发件箱 (未配置 SMTP / 短信网关时的邮件和短信)',
        querystring: OutboxQuery,
        response: responses({ 200: page(OutboxMessageView) }),
      },
    },
    async (request) => {
      const { cursor, limit, ...filters } = request.query;
      const result = await listOutbox(deps.db.kysely, getAuth(request).tenantId, filters, {
        limit: limit ?? 50,
        ...(cursor ? { cursor } : {}),
      });
      return { items: result.items.map(toOutboxView), nextCursor: result.nextCursor };
    },
  );

  app.get(
    '/api/v1/delivery/settings',
    {
      config: { permission: 'integrations.read' },
      schema: { ...common, summary: '交付设置', response: responses({ 200: SettingsView }) },
    },
    async (request) => getDeliverySettings(deps.db.kysely, getAuth(request).tenantId),
  );

  app.put(
    '/api/v1/delivery/settings',
    {
      config: { permission: 'integrations.manage' },
      schema: { ...common, summary: '修改交付设置', body: SettingsPatch, response: responses({ 200: SettingsView }) },
    },
    async (request) => {
      const tenantId = getAuth(request).tenantId;
      const { after } = await withAudit(
        ctxOf(deps),
        auditMetaOf(request),
        async (c) => ({
          before: await getDeliverySettings(c.db, tenantId),
          after: await putDeliverySettings(c, tenantId, request.body),
        }),
        (r) => ({
          action: 'delivery.settings.update',
          target: { type: 'delivery_settings', id: tenantId },
          before: r.before,
          after: r.after,
        }),
      );
      return after;
    },
  );
};
