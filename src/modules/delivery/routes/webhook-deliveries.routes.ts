import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { toIsoCst } from '../../../platform/clock.js';
import type { Deps } from '../../../platform/deps.js';
import { IsoTime, PageQuery, page, responses } from '../../../platform/http/schemas.js';
import { auditMetaOf, getAuth } from '../../auth/index.js';
import { WEBHOOK_DELIVERY_STATUSES, type WebhookAttempt, type WebhookDelivery } from '../delivery.tables.js';
import { resolveWebhookBody } from '../event-source.js';
import { getWebhookDeliveryOrThrow, redeliverWebhook } from '../redeliver-webhook.js';
import { listAttempts, listDeliveries } from '../webhooks.repo.js';

const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

/** One event to one business system, as the delivery log shows it. */
export const WebhookDeliveryView = Type.Object({
  id: Type.String({ description: 'X-OpenFapiao-Delivery: the same on every attempt' }),
  eventId: Type.String(),
  eventType: Type.String(),
  businessSystemCode: Type.String(),
  invoiceSerialNo: nullable(Type.String()),
  status: Type.Union(WEBHOOK_DELIVERY_STATUSES.map((s) => Type.Literal(s))),
  attempts: Type.Integer(),
  redeliveries: Type.Integer(),
  lastStatusCode: nullable(Type.Integer()),
  lastError: nullable(Type.String()),
  lastAttemptAt: nullable(IsoTime),
  deliveredAt: nullable(IsoTime),
  createdAt: IsoTime,
  updatedAt: IsoTime,
});

/** One HTTP attempt of a delivery. */
export const WebhookAttemptView = Type.Object({
  attemptNo: Type.Integer(),
  startedAt: IsoTime,
  durationMs: Type.Integer(),
  address: nullable(Type.String()),
  statusCode: nullable(Type.Integer()),
  responseExcerpt: nullable(Type.String({ description: 'At most 1 KB of the answer' })),
  error: nullable(Type.String()),
});

const DeliveryDetail = Type.Intersect([
  WebhookDeliveryView,
  Type.Object({
    payload: Type.String({ description: 'The exact JSON body sent' }),
    attemptLog: Type.Array(WebhookAttemptView),
  }),
]);

const iso = (ms: number | null) => (ms === null ? null : toIsoCst(ms));

/** The API view of a delivery (without its body). */
export function toWebhookDeliveryView(d: Omit<WebhookDelivery, 'payload'>) {
  return {
    id: d.id,
    eventId: d.event_id,
    eventType: d.event_type,
    businessSystemCode: d.business_system_code,
    invoiceSerialNo: d.invoice_serial_no,
    status: d.status,
    attempts: d.attempts,
    redeliveries: d.redeliveries,
    lastStatusCode: d.last_status_code,
    lastError: d.last_error,
    lastAttemptAt: iso(d.last_attempt_at),
    deliveredAt: iso(d.delivered_at),
    createdAt: toIsoCst(d.created_at),
    updatedAt: toIsoCst(d.updated_at),
  };
}

const toAttemptView = (a: WebhookAttempt) => ({
  attemptNo: a.attempt_no,
  startedAt: toIsoCst(a.started_at),
  durationMs: a.duration_ms,
  address: a.address,
  statusCode: a.status_code,
  responseExcerpt: a.response_excerpt,
  error: a.error,
});

const ListQuery = Type.Object({
  status: Type.Optional(Type.Union(WEBHOOK_DELIVERY_STATUSES.map((s) => Type.Literal(s)))),
  eventType: Type.Optional(Type.String({ maxLength: 50 })),
  businessSystemCode: Type.Optional(Type.String({ maxLength: 50 })),
  serialNo: Type.Optional(Type.String({ maxLength: 32, description: '发票流水号' })),
  ...PageQuery,
});

const IdParams = Type.Object({ id: Type.String({ maxLength: 40 }) });

/** The webhook delivery log and redelivery. */
export const webhookDeliveriesRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const common = { tags: ['webhooks'], security: [{ bearerAuth: [] }] };

  app.get(
    '/api/v1/webhook-deliveries',
    {
      config: { permission: 'integrations.read' },
      schema: {
        ...common,
        summary: '回调投递记录 (filters; cursor pages)',
        querystring: ListQuery,
        response: responses({ 200: page(WebhookDeliveryView) }),
      },
    },
    async (request) => {
      const { cursor, limit, ...filters } = request.query;
      const result = await listDeliveries(deps.db.kysely, getAuth(request).tenantId, filters, {
        limit: limit ?? 50,
        ...(cursor ? { cursor } : {}),
      });
      return { items: result.items.map(toWebhookDeliveryView), nextCursor: result.nextCursor };
    },
  );

  app.get(
    '/api/v1/webhook-deliveries/:id',
    {
      config: { permission: 'integrations.read' },
      schema: {
        ...common,
        summary: '回调投递详情 (含每次尝试)',
        params: IdParams,
        response: responses({ 200: DeliveryDetail }),
      },
    },
    async (request) => {
      const delivery = await getWebhookDeliveryOrThrow(deps, getAuth(request).tenantId, request.params.id);
      const attempts = await listAttempts(deps.db.kysely, delivery.id);
      return {
        ...toWebhookDeliveryView(delivery),
        payload: await resolveWebhookBody(deps, delivery),
        attemptLog: attempts.map(toAttemptView),
      };
    },
  );

  app.post(
    '/api/v1/webhook-deliveries/:id/redeliver',
    {
      config: { permission: 'integrations.manage' },
      schema: {
        ...common,
        summary: '重新投递 (dead 或已送达的回调)',
        params: IdParams,
        response: responses({ 202: WebhookDeliveryView }, [400, 401, 404, 409]),
      },
    },
    async (request, reply) => {
      const delivery = await redeliverWebhook(deps, getAuth(request).tenantId, request.params.id, auditMetaOf(request));
      void reply.status(202);
      return toWebhookDeliveryView(delivery);
    },
  );
};
