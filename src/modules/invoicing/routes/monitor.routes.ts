import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { toIsoCst } from '../../../platform/clock.js';
import type { Deps } from '../../../platform/deps.js';
import { AppError } from '../../../platform/errors/app-error.js';
import { NOT_FOUND } from '../../../platform/errors/platform.errors.js';
import { IsoTime, Money, responses } from '../../../platform/http/schemas.js';
import { fenToDecimalString, lookupTaxCode } from '../../../tax/index.js';
import { getAuth, orgScope } from '../../auth/index.js';
import { getInvoiceMonitor } from '../invoice-lists.repo.js';
import type { Invoice } from '../invoicing.tables.js';
import { listMonitorExceptions, type MonitorException } from '../monitor-exceptions.js';
import { loadTaxCodeTable } from '../tax-code-table.js';

const MonitorItem = Type.Object({
  serialNo: Type.String(),
  status: Type.String(),
  kind: Type.String(),
  isRed: Type.Boolean(),
  buyerName: Type.String(),
  total: Money,
  failure: Type.Union([Type.Object({ code: Type.String(), reason: Type.String() }), Type.Null()]),
  createdAt: IsoTime,
  updatedAt: IsoTime,
});

const ExceptionItem = Type.Object({
  kind: Type.String({ description: '异常类型，如 scan_link_limit（静态二维码超过提交限制）' }),
  code: Type.String(),
  message: Type.String(),
  sellerTaxId: Type.Union([Type.String(), Type.Null()]),
  subject: Type.String({ description: '相关对象，如动态二维码设置的 key' }),
  count: Type.Integer({ description: '发生次数（如窗口内被拒绝的提交数）' }),
  firstAt: IsoTime,
  lastAt: IsoTime,
  details: Type.Record(Type.String(), Type.String()),
});

const exceptionItem = (e: MonitorException) => ({
  ...e,
  firstAt: toIsoCst(e.firstAt),
  lastAt: toIsoCst(e.lastAt),
});

const item = (i: Invoice) => ({
  serialNo: i.serial_no,
  status: i.status,
  kind: i.kind,
  isRed: i.is_red === 1,
  buyerName: i.buyer_name,
  total: fenToDecimalString(i.total_fen),
  failure: i.failure_code && i.failure_reason ? { code: i.failure_code, reason: i.failure_reason } : null,
  createdAt: toIsoCst(i.created_at),
  updatedAt: toIsoCst(i.updated_at),
});

/** 开票过程监控 / 开票异常处理, and 税收分类编码 lookup. */
export const monitorRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const common = { security: [{ bearerAuth: [] }] };
  app.get(
    '/api/v1/invoice-monitor',
    {
      config: { permission: 'invoices.read' },
      schema: {
        ...common,
        tags: ['invoices'],
        summary: '开票过程监控：各状态数量、在途请求、失败请求及原因、其他异常（如扫码开票超限）',
        response: responses({
          200: Type.Object({
            counts: Type.Record(Type.String(), Type.Integer()),
            inFlight: Type.Array(MonitorItem),
            failed: Type.Array(MonitorItem),
            failureCodes: Type.Array(Type.Object({ code: Type.String(), count: Type.Integer() })),
            exceptions: Type.Array(ExceptionItem),
          }),
        }),
      },
    },
    async (request) => {
      const { tenantId } = getAuth(request);
      // A clerk sees the requests and exceptions of their own seller orgs only.
      const scope = orgScope(request);
      const m = await getInvoiceMonitor(deps.db.kysely, tenantId, scope);
      const exceptions = (await listMonitorExceptions(deps, tenantId, 50)).filter(
        (e) => scope === null || (e.sellerTaxId !== null && scope.includes(e.sellerTaxId)),
      );
      return {
        counts: m.counts as Record<string, number>,
        inFlight: m.inFlight.map(item),
        failed: m.failed.map(item),
        failureCodes: m.failureCodes,
        exceptions: exceptions.map(exceptionItem),
      };
    },
  );

  app.get(
    '/api/v1/tax-codes/:code',
    {
      config: { permission: 'invoices.read' },
      schema: {
        ...common,
        tags: ['tax-codes'],
        summary: '查询税收分类编码',
        params: Type.Object({ code: Type.String({ maxLength: 19, pattern: '^\\d{19}$' }) }),
        response: responses({
          200: Type.Object({
            code: Type.String(),
            name: Type.String(),
            shortName: Type.String(),
            defaultRate: Type.String(),
            isSummary: Type.Boolean(),
          }),
        }),
      },
    },
    async (request, reply) => {
      const entry = lookupTaxCode(request.params.code, await loadTaxCodeTable(deps.db.kysely));
      if (!entry) throw new AppError(NOT_FOUND, `税收分类编码 ${request.params.code} 不在编码表中`);
      return reply.send({
        code: entry.code,
        name: entry.name,
        shortName: entry.shortName,
        defaultRate: entry.defaultRate,
        isSummary: entry.isSummary === true,
      });
    },
  );
};
