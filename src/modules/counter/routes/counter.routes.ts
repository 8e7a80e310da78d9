import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { toIsoCst } from '../../../platform/clock.js';
import type { Deps } from '../../../platform/deps.js';
import { IsoTime, linesBodyLimit, Money, responses } from '../../../platform/http/schemas.js';
import { fenToDecimalString, INVOICE_KINDS } from '../../../tax/index.js';
import { assertOrgAllowed, auditMetaOf, getAuth } from '../../auth/index.js';
import { LineInput } from '../../invoicing/index.js';
import { COUNTER_KINDS, createCounterOrder, getCounterSettings, saveCounterSettings } from '../counter.service.js';
import { ReceiptSettings } from '../receipt.js';

const SellerTaxId = Type.String({ minLength: 15, maxLength: 20, description: '销方税号' });

const SettingsView = Type.Object({
  sellerTaxId: Type.String(),
  sellerName: Type.String(),
  qrValidityMinutes: Type.Integer(),
  receipt: ReceiptSettings,
  scanSettingKey: Type.Union([Type.String(), Type.Null()], { description: '码上开票订单所用的动态二维码设置' }),
});

const SaveSettingsBody = Type.Object(
  {
    sellerTaxId: SellerTaxId,
    qrValidityMinutes: Type.Integer({ minimum: 5, maximum: 43_200, description: '二维码有效期（分钟，5 分钟–30 天）' }),
    receipt: ReceiptSettings,
  },
  { additionalProperties: false },
);

const CounterKind = Type.Union(
  COUNTER_KINDS.map((k) => Type.Literal(k)),
  { description: '消费者可选票种：82 数电普票，81 数电专票' },
);

const CreateCounterOrderBody = Type.Object(
  {
    sellerTaxId: SellerTaxId,
    allowedKinds: Type.Array(CounterKind, { minItems: 1, maxItems: 2 }),
    lines: Type.Array(LineInput, { minItems: 1, maxItems: 200 }),
    remark: Type.Optional(Type.String({ maxLength: 450 })),
  },
  { additionalProperties: false },
);

const CounterOrderReply = Type.Object({
  orderNo: Type.String(),
  sellerTaxId: Type.String(),
  sellerName: Type.String(),
  url: Type.String({ description: '消费者扫码打开的短链接 {PUBLIC_URL}/s/{token}' }),
  qrSvgUrl: Type.String(),
  qrPngUrl: Type.String(),
  total: Money,
  expiresAt: IsoTime,
  status: Type.String(),
});

/** 柜台: 码上开票 orders and the org's counter settings (QR validity, receipt layout). */
export const counterRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const common = { tags: ['counter'], security: [{ bearerAuth: [] }] };

  app.get(
    '/api/v1/counter/settings',
    {
      config: { permission: 'scan.read' },
      schema: {
        ...common,
        summary: '柜台设置（二维码有效期、小票样式）',
        querystring: Type.Object({ sellerTaxId: SellerTaxId }),
        response: responses({ 200: SettingsView }, [400, 401, 403, 422]),
      },
    },
    async (request) => {
      const seller = request.query.sellerTaxId.toUpperCase();
      assertOrgAllowed(request, seller);
      return getCounterSettings(deps, getAuth(request).tenantId, seller);
    },
  );

  app.put(
    '/api/v1/counter/settings',
    {
      config: { permission: 'scan.manage' },
      schema: {
        ...common,
        summary: '保存柜台设置（小票纸宽、票头票尾、打印字段；二维码有效期）',
        body: SaveSettingsBody,
        response: responses({ 200: SettingsView }, [400, 401, 403, 422]),
      },
    },
    async (request) => {
      const { sellerTaxId, ...input } = request.body;
      const seller = sellerTaxId.toUpperCase();
      assertOrgAllowed(request, seller);
      return saveCounterSettings(deps, getAuth(request).tenantId, seller, input, auditMetaOf(request));
    },
  );

  app.post(
    '/api/v1/counter/orders',
    {
      config: { permission: 'scan.manage' },
      bodyLimit: linesBodyLimit(deps.config.http.bodyLimitBytes),
      schema: {
        ...common,
        summary: '码上开票：生成一次性开票二维码 (a one-time scan order built at the till)',
        description:
          '按开票规则检查明细，生成来源为 counter 的扫码订单；消费者扫码填写抬头后立即开票。实时状态用 GET /api/v1/scan/orders/{orderNo}?since=状态&wait=20，撤回用 POST /api/v1/scan/orders/{orderNo}/withdraw。',
        body: CreateCounterOrderBody,
        response: responses({ 201: CounterOrderReply }, [400, 401, 403, 409, 422]),
      },
    },
    async (request, reply) => {
      const { sellerTaxId, allowedKinds, lines, remark } = request.body;
      const seller = sellerTaxId.toUpperCase();
      assertOrgAllowed(request, seller);
      const { order, links, sellerName } = await createCounterOrder(
        deps,
        getAuth(request).tenantId,
        {
          sellerTaxId: seller,
          allowedKinds: allowedKinds.filter((k) => (INVOICE_KINDS as readonly string[]).includes(k)),
          lines,
          ...(remark ? { remark } : {}),
        },
        auditMetaOf(request),
      );
      return reply.status(201).send({
        orderNo: order.order_no,
        sellerTaxId: order.seller_tax_id,
        sellerName,
        url: links.url,
        qrSvgUrl: links.qrSvgUrl,
        qrPngUrl: links.qrPngUrl,
        total: fenToDecimalString(order.total_fen),
        expiresAt: toIsoCst(order.expires_at),
        status: order.status,
      });
    },
  );
};
