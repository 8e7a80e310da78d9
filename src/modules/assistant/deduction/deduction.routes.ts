import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Deps } from '../../../platform/deps.js';
import { IsoTime, responses } from '../../../platform/http/schemas.js';
import { EXPORT_CONTENT_TYPES, type ExportFormat } from '../../../platform/table-export.js';
import { DEDUCTIBLE_KIND_CODES } from '../../../tax/index.js';
import { withAudit } from '../../audit/index.js';
import { auditMetaOf, getAuth } from '../../auth/index.js';
import { ReceivedInvoiceViewSchema } from '../../collection/index.js';
import {
  cancelSelections,
  confirmDeductionPeriod,
  DEDUCTION_BATCH_MAX,
  type DeductionCaller,
  exportTarget,
  listDeductionInvoices,
  markNotDeductible,
  periodStatistics,
  selectForDeduction,
} from './deduction.service.js';
import { DEDUCTION_STATUSES } from './deduction.tables.js';
import { deductionExportChunks } from './deduction-export.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const TaxId = Type.String({
  minLength: 15,
  maxLength: 20,
  pattern: '^[0-9A-Za-z]+$',
  description: '购买方税号（本租户的组织）',
});
const Period = Type.String({ maxLength: 6, pattern: '^\\d{6}$', description: '所属期 YYYYMM' });
const InvoiceId = Type.String({ minLength: 1, maxLength: 64 });
const PositiveMoney = Type.String({
  maxLength: 19,
  pattern: '^\\d{1,15}(\\.\\d{1,2})?$',
  description: '有效抵扣税额 (decimal string, yuan)',
});
const Kind = Type.Union(DEDUCTIBLE_KIND_CODES.map((k) => Type.Literal(k)));

const DeductionInfoSchema = Type.Object({
  status: Type.Union([Type.Literal('candidate'), ...DEDUCTION_STATUSES.map((s) => Type.Literal(s))]),
  period: Nullable(Type.String()),
  tax: Nullable(Type.String({ description: '有效抵扣税额 (candidates: the full deductible tax)' })),
  fullTax: Nullable(Type.String({ description: '可抵扣税额 (printed, or computed for transport tickets)' })),
  taxBasis: Nullable(Type.Union([Type.Literal('printed'), Type.Literal('computed')])),
  taxRule: Nullable(Type.String()),
  partialAllowed: Type.Boolean(),
  reason: Nullable(Type.String()),
  actor: Nullable(Type.String()),
  updatedAt: Nullable(IsoTime),
  invoiceDeleted: Type.Boolean({
    description: 'The pool item was deleted after it was selected or marked: listed, not selectable again',
  }),
});
const ListItem = Type.Object({ invoice: ReceivedInvoiceViewSchema, deduction: DeductionInfoSchema });

const KindStats = Type.Object({
  kind: Type.String(),
  kindName: Type.String(),
  count: Type.Integer(),
  amount: Type.String(),
  tax: Type.String(),
});
const Block = Type.Object({
  count: Type.Integer(),
  amount: Type.String(),
  tax: Type.String(),
  byKind: Type.Array(KindStats),
});
const PeriodStats = Type.Object({
  buyerTaxId: Type.String(),
  period: Type.String(),
  state: Type.Union([Type.Literal('open'), Type.Literal('confirmed')]),
  confirmedAt: Nullable(IsoTime),
  confirmedBy: Nullable(Type.String()),
  selected: Block,
  candidates: Type.Object({ ...Block.properties, truncated: Type.Boolean() }),
  notDeductible: Block,
});

const PeriodParams = Type.Object({ buyerTaxId: TaxId, period: Period });

const tags = ['deduction'];
const security = [{ bearerAuth: [] }];

function callerOf(request: FastifyRequest): DeductionCaller {
  const auth = getAuth(request);
  return { tenantId: auth.tenantId, actorName: auth.actorName, meta: auditMetaOf(request) };
}

/** 抵扣勾选 (docs/deduction.md): candidates, selections, 不抵扣, period statistics, confirmation, export. */
export const deductionRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get(
    '/api/v1/deduction/invoices',
    {
      config: { permission: 'deduction.read' },
      schema: {
        tags,
        security,
        summary: '抵扣勾选发票列表 (candidates, selected, 不抵扣, confirmed)',
        description:
          '`status=candidate`: deductible kinds, 查验 正常, buyer = `buyerTaxId`, issued by the period’s end, not ' +
          'selected here or by anyone on the platform. Others: this buyer’s selections (`not_deductible` ignores the period).',
        querystring: Type.Object({
          buyerTaxId: TaxId,
          period: Period,
          status: Type.Optional(
            Type.Union([Type.Literal('candidate'), ...DEDUCTION_STATUSES.map((s) => Type.Literal(s))], {
              default: 'candidate',
            }),
          ),
          kind: Type.Optional(Kind),
          cursor: Type.Optional(Type.String({ maxLength: 64 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
        }),
        response: responses(
          { 200: Type.Object({ items: Type.Array(ListItem), nextCursor: Nullable(Type.String()) }) },
          [400, 401, 403, 404, 422, 503],
        ),
      },
    },
    async (request) => {
      const q = request.query;
      return listDeductionInvoices(deps, getAuth(request).tenantId, {
        buyerTaxId: q.buyerTaxId,
        period: q.period,
        status: q.status ?? 'candidate',
        ...(q.kind ? { kind: q.kind } : {}),
        ...(q.cursor ? { cursor: q.cursor } : {}),
        limit: q.limit ?? 50,
      });
    },
  );

  app.post(
    '/api/v1/deduction/selections',
    {
      config: { permission: 'deduction.manage' },
      schema: {
        tags,
        security,
        summary: '勾选 (select invoices for a period, through the deduction channel)',
        description:
          'All or nothing. `tax` (有效抵扣税额) defaults to the full deductible tax; a lower one only for VAT special ' +
          'and vehicle invoices. Errors name each refused invoice in `details.invoices`.',
        body: Type.Object(
          {
            buyerTaxId: TaxId,
            period: Period,
            invoices: Type.Array(
              Type.Object({ invoiceId: InvoiceId, tax: Type.Optional(PositiveMoney) }, { additionalProperties: false }),
              { minItems: 1, maxItems: DEDUCTION_BATCH_MAX },
            ),
          },
          { additionalProperties: false },
        ),
        response: responses({ 200: Type.Object({ items: Type.Array(ListItem) }) }, [400, 401, 403, 404, 409, 422, 503]),
      },
    },
    async (request) => ({ items: await selectForDeduction(deps, callerOf(request), request.body) }),
  );

  app.post(
    '/api/v1/deduction/selections/cancel',
    {
      config: { permission: 'deduction.manage' },
      schema: {
        tags,
        security,
        summary: '撤销勾选 (unselect invoices of an open period)',
        body: Type.Object(
          {
            buyerTaxId: TaxId,
            period: Period,
            invoiceIds: Type.Array(InvoiceId, { minItems: 1, maxItems: DEDUCTION_BATCH_MAX }),
          },
          { additionalProperties: false },
        ),
        response: responses(
          { 200: Type.Object({ cancelled: Type.Array(Type.String()) }) },
          [400, 401, 403, 404, 409, 422, 503],
        ),
      },
    },
    async (request) => cancelSelections(deps, callerOf(request), request.body),
  );

  app.post(
    '/api/v1/deduction/not-deductible',
    {
      config: { permission: 'deduction.manage' },
      schema: {
        tags,
        security,
        summary: '不抵扣 (mark invoices not deductible with a reason; `undo: true` unmarks them)',
        body: Type.Object(
          {
            buyerTaxId: TaxId,
            invoiceIds: Type.Array(InvoiceId, { minItems: 1, maxItems: DEDUCTION_BATCH_MAX }),
            reason: Type.Optional(Type.String({ maxLength: 200, description: '不抵扣原因 (required unless undo)' })),
            undo: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: responses(
          { 200: Type.Object({ invoiceIds: Type.Array(Type.String()) }) },
          [400, 401, 403, 404, 409, 422],
        ),
      },
    },
    async (request) => markNotDeductible(deps, callerOf(request), request.body),
  );

  app.get(
    '/api/v1/deduction/periods/:buyerTaxId/:period',
    {
      config: { permission: 'deduction.read' },
      schema: {
        tags,
        security,
        summary: '所属期统计 (count, amount and tax by kind: selected, candidates, 不抵扣; state)',
        params: PeriodParams,
        response: responses({ 200: PeriodStats }, [400, 401, 403, 404, 422, 503]),
      },
    },
    async (request) =>
      periodStatistics(deps, getAuth(request).tenantId, request.params.buyerTaxId, request.params.period),
  );

  app.post(
    '/api/v1/deduction/periods/:buyerTaxId/:period/confirm',
    {
      config: { permission: 'deduction.manage' },
      schema: {
        tags,
        security,
        summary: '确认勾选 (confirm the period through the deduction channel; locks it)',
        params: PeriodParams,
        response: responses({ 200: PeriodStats }, [400, 401, 403, 404, 409, 422, 503]),
      },
    },
    async (request) =>
      confirmDeductionPeriod(deps, callerOf(request), request.params.buyerTaxId, request.params.period),
  );

  for (const format of ['csv', 'xlsx'] as const satisfies readonly ExportFormat[]) {
    app.get(
      `/api/v1/deduction/periods/:buyerTaxId/:period/export.${format}`,
      {
        config: { permission: 'deduction.read' },
        schema: {
          tags,
          security,
          summary: `导出抵扣勾选清单 ${format.toUpperCase()} (a period's selected and confirmed invoices)`,
          params: PeriodParams,
          produces: [EXPORT_CONTENT_TYPES[format]],
          response: responses({ 200: Type.String() }, [400, 401, 403, 404, 422]),
        },
      },
      async (request, reply) => {
        const caller = callerOf(request);
        const { period } = request.params;
        // Checks the org and period (and answers their errors) before the stream starts.
        const { buyer, rows } = await exportTarget(deps, caller.tenantId, request.params.buyerTaxId, period);
        await withAudit(
          { db: deps.db.kysely, clock: deps.clock, jobs: deps.jobs },
          caller.meta,
          async () => rows,
          () => ({
            action: 'deduction.export',
            target: { type: 'deduction_period', id: `${buyer}/${period}` },
            after: { format, rows },
          }),
        );
        const ascii = `deduction-${buyer}-${period}.${format}`;
        const chinese = `抵扣勾选-${buyer}-${period}.${format}`;
        return reply
          .type(EXPORT_CONTENT_TYPES[format])
          .header('cache-control', 'no-store')
          .header(
            'content-disposition',
            `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(chinese)}`,
          )
          .send(
            Readable.from(deductionExportChunks(format, deps.db.kysely, caller.tenantId, buyer, period), {
              objectMode: false,
            }),
          );
      },
    );
  }
};
