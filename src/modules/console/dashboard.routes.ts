import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type TSchema, Type } from 'typebox';
import type { Deps } from '../../platform/deps.js';
import { IsoTime, Money, responses } from '../../platform/http/schemas.js';
import { getAuth } from '../auth/index.js';
import { getDashboard } from './dashboard.js';

const Count = Type.Integer({ minimum: 0 });
const Period = (extra: Record<string, TSchema>) =>
  Type.Object({
    ...extra,
    count: Type.Integer({ description: '蓝字发票张数' }),
    amount: Money,
    tax: Money,
    total: Money,
    redCount: Type.Integer({ description: '红字发票张数' }),
    redTotal: Money,
    byKind: Type.Array(
      Type.Object({
        kind: Type.String(),
        kindName: Type.String(),
        isRed: Type.Boolean(),
        count: Count,
        amount: Money,
        tax: Money,
        total: Money,
      }),
    ),
  });

export const DashboardView = Type.Object({
  asOf: IsoTime,
  today: Period({ date: Type.String({ format: 'date' }) }),
  month: Period({
    month: Type.String({ description: 'YYYY-MM' }),
    from: Type.String({ format: 'date' }),
    to: Type.String({ format: 'date' }),
  }),
  trend: Type.Array(Type.Object({ date: Type.String({ format: 'date' }), count: Count, total: Money }), {
    description: '近 30 天每日开具张数与价税合计（含红字）',
  }),
  statuses: Type.Object({ pending: Count, issuing: Count, failed: Count, redPending: Count }),
  failures: Type.Object({
    count: Count,
    byCode: Type.Array(Type.Object({ code: Type.String(), count: Count })),
  }),
  quota: Type.Array(
    Type.Object({
      sellerTaxId: Type.String(),
      sellerName: Type.String(),
      month: Type.String(),
      total: Money,
      used: Money,
      remaining: Money,
    }),
    { description: '本月授信额度（沙箱通道）' },
  ),
  deadDeliveries: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], {
    description: '已放弃的 webhook 推送；无 integrations.read 权限时为 null',
  }),
  scanOrders: Type.Union([Type.Array(Type.Object({ status: Type.String(), count: Count })), Type.Null()], {
    description: '扫码订单按状态；无 scan.read 权限时为 null',
  }),
});

/** The console's 工作台 (GET /api/v1/dashboard). */
export const dashboardRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get(
    '/api/v1/dashboard',
    {
      config: { permission: 'invoices.read' },
      schema: {
        tags: ['console'],
        security: [{ bearerAuth: [] }],
        summary: '工作台汇总 (console dashboard)',
        description:
          '今日/本月开具张数、金额、税额（按票种）、近 30 天趋势、红字发票、待处理异常、各销方本月额度、推送失败、扫码订单状态。金额为十进制字符串，按分求和。限定销方的开票员只看到其销方的数字。',
        response: responses({ 200: DashboardView }, [401]),
      },
    },
    async (request) => getDashboard(deps, getAuth(request)),
  );
};
