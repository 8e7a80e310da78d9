import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { toIsoCst } from '../../../platform/clock.js';
import { ctxOf, type Deps } from '../../../platform/deps.js';
import { IsoTime, responses } from '../../../platform/http/schemas.js';
import { auditMetaOf, getAuth } from '../../auth/index.js';
import {
  createBusinessSystem,
  getBusinessSystem,
  listBusinessSystems,
  rotateBusinessSystemSecret,
  updateBusinessSystem,
} from '../business-systems.service.js';
import type { BusinessSystem } from '../business-systems.tables.js';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../business-systems-events.js';
import { subscribedEvents } from '../business-systems-subscribers.js';

const url = (description: string) =>
  Type.Optional(Type.Union([Type.String({ maxLength: 2000, format: 'uri' }), Type.Null()], { description }));

const FieldsSchema = {
  name: Type.String({ minLength: 1, maxLength: 100, description: '业务系统名称' }),
  callbackUrl: url('回调地址 (webhooks, POST JSON)'),
  orderQueryUrl: url('订单查询地址 (scan-to-invoice)'),
  events: Type.Optional(
    Type.Array(Type.Union(WEBHOOK_EVENT_TYPES.map((e) => Type.Literal(e))), {
      maxItems: WEBHOOK_EVENT_TYPES.length,
      description: '订阅的事件; 默认 invoice.issued, invoice.failed, invoice.reversed',
    }),
  ),
  receiveAllInvoices: Type.Optional(
    Type.Boolean({ description: 'true: 也接收其他业务系统(或未指定)发票的事件; 默认只接收本系统编码的发票' }),
  ),
  enabled: Type.Optional(Type.Boolean()),
  frameAncestors: Type.Optional(
    Type.Union(
      [
        Type.Array(Type.String({ maxLength: 200 }), {
          maxItems: 10,
          description:
            "CSP frame-ancestors of the assistant pages opened for this system: `https://host[:port]`, `http://localhost[:port]` or `'self'`",
        }),
        Type.Null(),
      ],
      { description: '可嵌入发票助手页面的来源 (最多 10 个; 空/null = 仅本站)' },
    ),
  ),
};

/** Body of POST /api/v1/business-systems. */
export const CreateBusinessSystemBody = Type.Object(
  {
    code: Type.String({ maxLength: 50, pattern: '^[A-Za-z0-9_.-]{1,50}$', description: '业务系统编码 (租户内唯一)' }),
    ...FieldsSchema,
  },
  { additionalProperties: false },
);

/** Body of PATCH /api/v1/business-systems/{code}: any subset of the fields. */
export const PatchBusinessSystemBody = Type.Object(
  { ...FieldsSchema, name: Type.Optional(FieldsSchema.name) },
  { additionalProperties: false, minProperties: 1 },
);

/** Body of POST …/rotate-secret. */
export const RotateSecretBody = Type.Object(
  {
    overlapSeconds: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 7 * 86_400, default: 86_400, description: '旧密钥继续签名的秒数' }),
    ),
  },
  { additionalProperties: false },
);

const nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

/** A business system as the API shows it (never its secret). */
export const BusinessSystemView = Type.Object({
  code: Type.String(),
  name: Type.String(),
  callbackUrl: nullable(Type.String()),
  orderQueryUrl: nullable(Type.String()),
  events: Type.Array(Type.String()),
  receiveAllInvoices: Type.Boolean(),
  enabled: Type.Boolean(),
  frameAncestors: Type.Array(Type.String(), { description: "assistant pages' frame-ancestors (empty: 'self' only)" }),
  secretRotatedAt: nullable(IsoTime),
  previousSecretExpiresAt: nullable(IsoTime),
  createdAt: IsoTime,
  updatedAt: IsoTime,
});

const WithSecret = Type.Intersect([
  BusinessSystemView,
  Type.Object({ secret: Type.String({ description: '签名密钥, 只在创建/轮换时返回一次' }) }),
]);

/** The API view of a business system (never the secret). */
export function toBusinessSystemView(s: BusinessSystem) {
  return {
    code: s.code,
    name: s.name,
    callbackUrl: s.callback_url,
    orderQueryUrl: s.order_query_url,
    events: subscribedEvents(s),
    receiveAllInvoices: s.receive_all_invoices === 1,
    enabled: s.enabled === 1,
    frameAncestors: s.frame_ancestors?.split(' ').filter(Boolean) ?? [],
    secretRotatedAt: s.secret_rotated_at === null ? null : toIsoCst(s.secret_rotated_at),
    previousSecretExpiresAt: s.previous_secret_expires_at === null ? null : toIsoCst(s.previous_secret_expires_at),
    createdAt: toIsoCst(s.created_at),
    updatedAt: toIsoCst(s.updated_at),
  };
}

const CodeParams = Type.Object({ code: Type.String({ maxLength: 50 }) });

/** Business systems (业务系统) of the caller's tenant: callback and order-query URLs, events, signing secret. */
export const businessSystemsRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const common = { tags: ['business-systems'], security: [{ bearerAuth: [] }] };
  const events = (e: string[] | undefined) => e as WebhookEventType[] | undefined;

  app.get(
    '/api/v1/business-systems',
    {
      config: { permission: 'integrations.read' },
      schema: {
        ...common,
        summary: '业务系统列表',
        response: responses({ 200: Type.Object({ items: Type.Array(BusinessSystemView) }) }),
      },
    },
    async (request) => ({
      items: (await listBusinessSystems(ctxOf(deps), getAuth(request).tenantId)).map(toBusinessSystemView),
    }),
  );

  app.post(
    '/api/v1/business-systems',
    {
      config: { permission: 'integrations.manage' },
      schema: {
        ...common,
        summary: '新增业务系统 (返回签名密钥, 仅此一次)',
        body: CreateBusinessSystemBody,
        response: responses({ 201: WithSecret }, [400, 401, 409, 422]),
      },
    },
    async (request, reply) => {
      const body = { ...request.body, events: events(request.body.events) };
      const { system, secret } = await createBusinessSystem(
        ctxOf(deps),
        getAuth(request).tenantId,
        body,
        auditMetaOf(request),
      );
      return reply.status(201).send({ ...toBusinessSystemView(system), secret });
    },
  );

  app.get(
    '/api/v1/business-systems/:code',
    {
      config: { permission: 'integrations.read' },
      schema: {
        ...common,
        summary: '查询业务系统',
        params: CodeParams,
        response: responses({ 200: BusinessSystemView }),
      },
    },
    async (request) =>
      toBusinessSystemView(await getBusinessSystem(ctxOf(deps), getAuth(request).tenantId, request.params.code)),
  );

  app.patch(
    '/api/v1/business-systems/:code',
    {
      config: { permission: 'integrations.manage' },
      schema: {
        ...common,
        summary: '修改业务系统',
        params: CodeParams,
        body: PatchBusinessSystemBody,
        response: responses({ 200: BusinessSystemView }, [400, 401, 404, 422]),
      },
    },
    async (request) => {
      const patch = { ...request.body, events: events(request.body.events) };
      if (patch.events === undefined) delete patch.events;
      const system = await updateBusinessSystem(
        ctxOf(deps),
        getAuth(request).tenantId,
        request.params.code,
        patch,
        auditMetaOf(request),
      );
      return toBusinessSystemView(system);
    },
  );

  app.post(
    '/api/v1/business-systems/:code/rotate-secret',
    {
      config: { permission: 'integrations.manage' },
      schema: {
        ...common,
        summary: '轮换签名密钥 (重叠期内新旧密钥同时签名)',
        params: CodeParams,
        body: RotateSecretBody,
        response: responses({ 200: WithSecret }),
      },
    },
    async (request) => {
      const { system, secret } = await rotateBusinessSystemSecret(
        ctxOf(deps),
        {
          tenantId: getAuth(request).tenantId,
          code: request.params.code,
          overlapSeconds: request.body.overlapSeconds ?? 86_400,
        },
        auditMetaOf(request),
      );
      return { ...toBusinessSystemView(system), secret };
    },
  );
};
