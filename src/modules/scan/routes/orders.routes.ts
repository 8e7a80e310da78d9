import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { toIsoCst } from '../../../platform/clock.js';
import type { Deps } from '../../../platform/deps.js';
import { linesBodyLimit, page, responses } from '../../../platform/http/schemas.js';
import type { SettledWatch } from '../../../platform/settled-waiter.js';
import { assertOrgAllowed, auditMetaOf, getAuth, orgScope } from '../../auth/index.js';
import { WaitQuery } from '../../invoicing/index.js';
import { createOrder } from '../create-order.js';
import { issueOrder } from '../issue-order.js';
import { effectiveStatus, orderLinks, toOrderView } from '../order-view.js';
import { listOrders } from '../orders.repo.js';
import type { ScanOrder, StoredOrderStatus } from '../scan.tables.js';
import { findSettingById, getSettingOrThrow } from '../settings.service.js';
import { waitForOrder, waitForOrderChange, watchOrderSettled } from '../wait-for-order.js';
import { getOrderOrThrow, withdrawOrder } from '../withdraw-order.js';
import {
  CreateOrderBody,
  OrderChangeQuery,
  OrderCreatedReply,
  OrderListQuery,
  OrderNoParams,
  OrderView,
} from './scan.schemas.js';

/** 推单生成二维码链接: platform-held orders, their status, withdrawal and (title_only) issuing. */
export const scanOrdersRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const common = { tags: ['scan'], security: [{ bearerAuth: [] }] };
  const view = async (order: Parameters<typeof toOrderView>[1]) =>
    toOrderView(deps, order, (await findSettingById(deps, order.setting_id))!);
  /** The order of the caller's tenant; a clerk's only for their seller orgs (403 ORG_NOT_ASSIGNED). */
  const ownOrder = async (request: FastifyRequest, orderNo: string) => {
    const order = await getOrderOrThrow(deps, getAuth(request).tenantId, orderNo);
    assertOrgAllowed(request, order.seller_tax_id);
    return order;
  };

  app.post(
    '/api/v1/scan/orders',
    {
      config: { permission: 'scan.manage' },
      bodyLimit: linesBodyLimit(deps.config.http.bodyLimitBytes),
      schema: {
        ...common,
        summary: '推送订单，生成扫码开票链接和二维码 (push an order; idempotent by orderNo)',
        description:
          '带 buyer 且设置为 issue 时立即开票；`?wait=N` 最多等待 N 秒，直到订单已开具（PDF 已生成）或失败。',
        body: CreateOrderBody,
        querystring: WaitQuery,
        response: responses({ 200: OrderCreatedReply, 201: OrderCreatedReply }, [400, 401, 404, 409, 422]),
      },
    },
    async (request, reply) => {
      const { tenantId } = getAuth(request);
      const { expiresAt, ...rest } = request.body;
      if (orgScope(request) !== null) {
        assertOrgAllowed(request, (await getSettingOrThrow(deps, tenantId, rest.settingKey)).seller_tax_id);
      }
      const input = { ...rest, ...(expiresAt ? { expiresAt: Date.parse(expiresAt) } : {}) };
      const wait = request.query.wait ?? 0;
      // Watching since before the insert, the wait needs no first read of the order it just wrote.
      let watch: SettledWatch | undefined;
      let order: ScanOrder;
      let created: boolean;
      let token: string;
      try {
        const result = await createOrder(
          deps,
          tenantId,
          input,
          auditMetaOf(request),
          wait > 0 ? { beforeInsert: (id) => (watch = watchOrderSettled(deps, id)) } : {},
        );
        created = result.created;
        token = result.token;
        order = await waitForOrder(deps, result.order, wait, result.created ? watch : undefined);
      } finally {
        watch?.close();
      }
      const links = orderLinks(deps, order, token)!;
      return reply.status(created ? 201 : 200).send({
        orderNo: order.order_no,
        token: links.token,
        url: links.url,
        qrPngUrl: links.qrPngUrl,
        qrSvgUrl: links.qrSvgUrl,
        expiresAt: toIsoCst(order.expires_at),
        status: effectiveStatus(order, deps.clock.now()),
      });
    },
  );

  app.get(
    '/api/v1/scan/orders',
    {
      config: { permission: 'scan.read' },
      schema: {
        ...common,
        summary: '扫码订单列表 (filters; cursor pages; awaitingConfirmation=true 待商家确认)',
        querystring: OrderListQuery,
        response: responses({ 200: page(OrderView) }, [400, 401, 404]),
      },
    },
    async (request) => {
      const { tenantId } = getAuth(request);
      const { cursor, limit, settingKey, status, ...filters } = request.query;
      const setting = settingKey === undefined ? undefined : await getSettingOrThrow(deps, tenantId, settingKey);
      if (setting) assertOrgAllowed(request, setting.seller_tax_id);
      const scope = orgScope(request);
      const result = await listOrders(
        deps.db.kysely,
        tenantId,
        {
          ...filters,
          ...(setting ? { settingId: setting.id } : {}),
          ...(status ? { status: status as StoredOrderStatus } : {}),
          ...(scope ? { sellerTaxIds: scope } : {}),
        },
        { limit: limit ?? 50, ...(cursor ? { cursor } : {}) },
      );
      // A page's orders share a few settings: each is read once.
      const settings = new Map(setting ? [[setting.id, setting]] : []);
      const items = [];
      for (const order of result.items) {
        let own = settings.get(order.setting_id);
        if (!own) {
          own = (await findSettingById(deps, order.setting_id))!;
          settings.set(order.setting_id, own);
        }
        items.push(await toOrderView(deps, order, own));
      }
      return { items, nextCursor: result.nextCursor };
    },
  );

  app.get(
    '/api/v1/scan/orders/:orderNo',
    {
      config: { permission: 'scan.read' },
      schema: {
        ...common,
        summary: '查询扫码订单（状态、提交的抬头、发票）',
        description:
          '`?since=状态&wait=N`：订单状态仍为 since 时最多等待 N 秒，状态一变（提交、开票中、已开具、失败、撤回）立即返回（码上开票的实时状态）。',
        params: OrderNoParams,
        querystring: OrderChangeQuery,
        response: responses({ 200: OrderView }),
      },
    },
    async (request) => {
      const order = await ownOrder(request, request.params.orderNo);
      const { since, wait } = request.query;
      return view(since && wait ? await waitForOrderChange(deps, order, since, wait) : order);
    },
  );

  app.post(
    '/api/v1/scan/orders/:orderNo/withdraw',
    {
      config: { permission: 'scan.manage' },
      schema: {
        ...common,
        summary:
          '单据撤回 / 拒绝待确认的静态订单 (only before the consumer submits, or while awaiting confirmation; else 409)',
        params: OrderNoParams,
        response: responses({ 200: OrderView }, [401, 404, 409]),
      },
    },
    async (request) => {
      await ownOrder(request, request.params.orderNo);
      return view(await withdrawOrder(deps, getAuth(request).tenantId, request.params.orderNo, auditMetaOf(request)));
    },
  );

  app.post(
    '/api/v1/scan/orders/:orderNo/issue',
    {
      config: { permission: 'scan.manage' },
      schema: {
        ...common,
        summary: '开具已提交抬头的订单 (title_only, or confirming a static order; idempotent)',
        params: OrderNoParams,
        response: responses({ 200: OrderView }, [401, 404, 409, 422]),
      },
    },
    async (request) => {
      const order = await ownOrder(request, request.params.orderNo);
      const issued = await issueOrder(deps, order.id, { rethrow: true, meta: auditMetaOf(request) });
      deps.jobs.notify();
      return view(issued);
    },
  );
};
