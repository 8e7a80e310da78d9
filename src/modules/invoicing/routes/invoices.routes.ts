import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Static, Type } from 'typebox';
import { ctxOf, type Deps } from '../../../platform/deps.js';
import { AppError } from '../../../platform/errors/app-error.js';
import { linesBodyLimit, PageQuery, page, responses } from '../../../platform/http/schemas.js';
import { INVOICE_KINDS } from '../../../tax/index.js';
import { withAudit } from '../../audit/index.js';
import { assertOrgAllowed, auditMetaOf, getAuth, orgScope } from '../../auth/index.js';
import { createInvoice } from '../create-invoice.js';
import { EXPORT_CONTENT_TYPES, type ExportFormat, exportChunks, exportPages } from '../invoice-export.js';
import { countInvoicesUpTo, type InvoiceFilters, listInvoices } from '../invoice-lists.repo.js';
import { INVOICE_STATUSES, type InvoiceStatus } from '../invoice-state-machine.js';
import { toInvoiceView } from '../invoice-view.js';
import { EXPORT_TOO_LARGE } from '../invoicing.errors.js';
import { INVOICE_ORIGINS } from '../invoicing.tables.js';
import { cancelInvoice, getScopedInvoiceOrThrow, patchFailedInvoice, retryInvoice } from '../manage-invoice.js';
import { requestRedInvoice } from '../request-red.js';
import { WaitQuery } from '../schemas.js';
import { type SettledWatch, waitForSettled, watchInvoiceSettled } from '../wait-for-invoice.js';
import {
  AcceptedReply,
  CreateInvoiceBody,
  InvoiceView,
  PatchInvoiceBody,
  RedBody,
  SerialParams,
} from './invoice.schemas.js';

const date = (description: string) => Type.Optional(Type.String({ maxLength: 10, format: 'date', description }));
const money = (description: string) =>
  Type.Optional(Type.String({ maxLength: 16, pattern: '^\\d{1,13}(\\.\\d{1,2})?$', description }));

/** The pool's filters (list, export). */
const PoolFilters = {
  status: Type.Optional(Type.String({ maxLength: 200, description: `逗号分隔: ${INVOICE_STATUSES.join(',')}` })),
  kind: Type.Optional(Type.Union(INVOICE_KINDS.map((k) => Type.Literal(k)))),
  sellerTaxId: Type.Optional(Type.String({ maxLength: 20 })),
  buyerName: Type.Optional(Type.String({ maxLength: 100, description: '购方名称包含' })),
  buyerTaxId: Type.Optional(Type.String({ maxLength: 20 })),
  number: Type.Optional(Type.String({ maxLength: 20 })),
  issuedFrom: date('开票日期起 (YYYY-MM-DD)'),
  issuedTo: date('开票日期止 (YYYY-MM-DD, 含)'),
  totalMin: money('价税合计下限'),
  totalMax: money('价税合计上限'),
  isRed: Type.Optional(Type.Boolean()),
  serialNo: Type.Optional(Type.String({ maxLength: 32, description: '开票流水号' })),
  businessSystemCode: Type.Optional(Type.String({ maxLength: 50, description: '业务系统编码' })),
  origin: Type.Optional(Type.Union(INVOICE_ORIGINS.map((o) => Type.Literal(o)))),
};

export const ListInvoicesQuery = Type.Object({
  ...PoolFilters,
  format: Type.Optional(
    Type.Union([Type.Literal('json'), Type.Literal('csv')], { description: 'csv: 同 /api/v1/invoices/export.csv' }),
  ),
  ...PageQuery,
});

/** The export's filters: the pool's, or the selected rows (`serialNos`, comma-separated, at most 1000). */
export const ExportInvoicesQuery = Type.Object({
  ...PoolFilters,
  serialNos: Type.Optional(
    Type.String({
      maxLength: 33_000,
      pattern: '^[^,]{1,32}(,[^,]{1,32}){0,999}$',
      description: '逗号分隔的流水号（所选行）',
    }),
  ),
});

type PoolQuery = Static<typeof ExportInvoicesQuery>;

/** The caller's filters on the pool: a clerk only sees their seller orgs (a filter on another org is refused). */
function poolFilters(request: FastifyRequest, query: PoolQuery): InvoiceFilters {
  const { status, serialNos, ...rest } = query;
  const scope = orgScope(request);
  if (scope && rest.sellerTaxId) assertOrgAllowed(request, rest.sellerTaxId.toUpperCase());
  return {
    ...rest,
    ...(scope ? { sellerTaxIds: scope } : {}),
    ...(serialNos ? { serialNos: [...new Set(serialNos.split(','))] } : {}),
    ...(status
      ? {
          status: status
            .split(',')
            .filter((s): s is InvoiceStatus => (INVOICE_STATUSES as readonly string[]).includes(s)),
        }
      : {}),
  };
}

const EXPORT_FILE_NAMES: Record<ExportFormat, { ascii: string; chinese: string }> = {
  csv: { ascii: 'invoices.csv', chinese: '销项发票.csv' },
  xlsx: { ascii: 'invoices.xlsx', chinese: '销项发票.xlsx' },
};

/** Direct invoicing (直接开票): issue, query, the invoice pool, exception handling and red-letter reversal. */
export const invoicesRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const common = { tags: ['invoices'], security: [{ bearerAuth: [] }] };
  const db = deps.db.kysely;

  const bodyLimit = linesBodyLimit(deps.config.http.bodyLimitBytes);

  app.post(
    '/api/v1/invoices',
    {
      config: { permission: 'invoices.issue' },
      bodyLimit,
      schema: {
        ...common,
        summary: '开具蓝字发票 (issue an invoice)',
        description:
          '幂等：同一 serialNo 同一内容返回同一发票；内容不同返回 409。`?wait=N` 最多等待 N 秒直接返回开具结果。',
        body: CreateInvoiceBody,
        querystring: WaitQuery,
        response: responses({ 200: InvoiceView, 202: AcceptedReply }, [400, 401, 409, 422]),
      },
    },
    async (request, reply) => {
      const { tenantId } = getAuth(request);
      const { serialNo, ...data } = request.body;
      assertOrgAllowed(request, data.seller.taxId.toUpperCase());
      const wait = request.query.wait ?? 0;
      // Watching begins before the insert, so the wait needs no first read of the invoice it has just written.
      let watch: SettledWatch | undefined;
      try {
        const { invoice, created } = await createInvoice(
          deps,
          { tenantId, origin: 'direct', serialNo, data, audit: auditMetaOf(request) },
          wait > 0 ? { beforeInsert: (id) => (watch = watchInvoiceSettled(deps, id)) } : {},
        );
        const settled = await waitForSettled(deps, invoice, wait, created ? watch : undefined);
        // Two success shapes (200 issued invoice, 202 accepted): the type provider cannot narrow by status code.
        if (settled) return reply.status(200).send((await toInvoiceView(db, settled)) as never);
        return reply.status(202).send({ serialNo: invoice.serial_no, status: invoice.status } as never);
      } finally {
        watch?.close();
      }
    },
  );

  app.get(
    '/api/v1/invoices',
    {
      config: { permission: 'invoices.read' },
      schema: {
        ...common,
        summary: '销项票池查询 (invoice pool; format=csv exports)',
        querystring: ListInvoicesQuery,
        response: responses({ 200: page(InvoiceView) }),
      },
    },
    async (request, reply) => {
      const { tenantId } = getAuth(request);
      const { cursor, limit, format, ...query } = request.query;
      const filters = poolFilters(request, query);
      if (format === 'csv') return sendExport(request, reply, 'csv', query, filters);
      const result = await listInvoices(db, tenantId, filters, { ...(cursor ? { cursor } : {}), limit: limit ?? 50 });
      return { items: await Promise.all(result.items.map((i) => toInvoiceView(db, i))), nextCursor: result.nextCursor };
    },
  );

  /**
   * A streamed export: the row count is checked first (at most EXPORT_MAX_ROWS, else 422 EXPORT_TOO_LARGE before any
   * byte is sent), the export is recorded in the audit log (a bulk read of buyer data), then the rows are read a
   * keyset page at a time and written as they come. A database error mid-way aborts the response (the file is cut).
   */
  async function sendExport(
    request: FastifyRequest,
    reply: FastifyReply,
    format: ExportFormat,
    query: PoolQuery,
    filters: InvoiceFilters,
  ) {
    const { tenantId } = getAuth(request);
    const maxRows = deps.config.exports.maxRows;
    const rows = await countInvoicesUpTo(db, tenantId, filters, maxRows + 1);
    if (rows > maxRows) throw new AppError(EXPORT_TOO_LARGE, undefined, { maxRows });
    await withAudit(
      ctxOf(deps),
      auditMetaOf(request),
      async () => rows,
      () => ({
        action: 'invoices.export',
        target: { type: 'invoice_pool', id: format },
        after: { format, rows, filters: query },
      }),
    );
    const name = EXPORT_FILE_NAMES[format];
    return reply
      .type(EXPORT_CONTENT_TYPES[format])
      .header('cache-control', 'no-store')
      .header('x-export-rows', String(rows))
      .header(
        'content-disposition',
        `attachment; filename="${name.ascii}"; filename*=UTF-8''${encodeURIComponent(name.chinese)}`,
      )
      .send(Readable.from(exportChunks(format, exportPages(db, tenantId, filters)), { objectMode: false }));
  }

  for (const format of ['csv', 'xlsx'] as const) {
    app.get(
      `/api/v1/invoices/export.${format}`,
      {
        config: { permission: 'invoices.read' },
        schema: {
          ...common,
          summary: `导出销项发票 ${format.toUpperCase()} (streamed export of the pool)`,
          description:
            '与票池查询相同的筛选条件，或 serialNos（所选行）。流式输出，最多 EXPORT_MAX_ROWS 行（默认 1000000，超出返回 422 EXPORT_TOO_LARGE）。' +
            "发票号码、税号等为文本；CSV 为 UTF-8 (BOM)，以 = + - @ 开头的单元格加 ' 前缀。",
          querystring: ExportInvoicesQuery,
          produces: [EXPORT_CONTENT_TYPES[format]],
          response: responses({ 200: Type.String() }, [400, 401, 403, 422]),
        },
      },
      async (request, reply) => sendExport(request, reply, format, request.query, poolFilters(request, request.query)),
    );
  }

  app.get(
    '/api/v1/invoices/:serialNo',
    {
      config: { permission: 'invoices.read' },
      schema: {
        ...common,
        summary: '按流水号查询发票',
        params: SerialParams,
        response: responses({ 200: InvoiceView }),
      },
    },
    async (request) => toInvoiceView(db, await getScopedInvoiceOrThrow(deps, request, request.params.serialNo)),
  );

  app.patch(
    '/api/v1/invoices/:serialNo',
    {
      config: { permission: 'invoices.issue' },
      bodyLimit,
      schema: {
        ...common,
        summary: '修改开票失败的请求 (fix a failed request)',
        params: SerialParams,
        body: PatchInvoiceBody,
        response: responses({ 200: InvoiceView }, [400, 401, 404, 409, 422]),
      },
    },
    async (request) => {
      await getScopedInvoiceOrThrow(deps, request, request.params.serialNo);
      return toInvoiceView(
        db,
        await patchFailedInvoice(deps, {
          tenantId: getAuth(request).tenantId,
          serialNo: request.params.serialNo,
          patch: request.body,
          audit: auditMetaOf(request),
        }),
      );
    },
  );

  app.post(
    '/api/v1/invoices/:serialNo/retry',
    {
      config: { permission: 'invoices.issue' },
      schema: {
        ...common,
        summary: '重新提交开票失败的请求',
        params: SerialParams,
        querystring: WaitQuery,
        response: responses({ 200: InvoiceView }, [400, 401, 404, 409]),
      },
    },
    async (request) => {
      await getScopedInvoiceOrThrow(deps, request, request.params.serialNo);
      const invoice = await retryInvoice(deps, {
        tenantId: getAuth(request).tenantId,
        serialNo: request.params.serialNo,
        audit: auditMetaOf(request),
      });
      return toInvoiceView(db, (await waitForSettled(deps, invoice, request.query.wait ?? 0)) ?? invoice);
    },
  );

  app.post(
    '/api/v1/invoices/:serialNo/cancel',
    {
      config: { permission: 'invoices.issue' },
      schema: {
        ...common,
        summary: '取消未开具的请求',
        params: SerialParams,
        response: responses({ 200: InvoiceView }, [400, 401, 404, 409]),
      },
    },
    async (request) => {
      await getScopedInvoiceOrThrow(deps, request, request.params.serialNo);
      return toInvoiceView(
        db,
        await cancelInvoice(deps, {
          tenantId: getAuth(request).tenantId,
          serialNo: request.params.serialNo,
          audit: auditMetaOf(request),
        }),
      );
    },
  );

  app.post(
    '/api/v1/invoices/:serialNo/red',
    {
      config: { permission: 'invoices.red' },
      bodyLimit,
      schema: {
        ...common,
        summary: '红冲 (red-letter reversal, full or partial)',
        params: SerialParams,
        body: RedBody,
        querystring: WaitQuery,
        response: responses({ 200: InvoiceView, 202: InvoiceView }, [400, 401, 404, 409, 422]),
      },
    },
    async (request, reply) => {
      await getScopedInvoiceOrThrow(deps, request, request.params.serialNo);
      const { invoice } = await requestRedInvoice(deps, {
        tenantId: getAuth(request).tenantId,
        origin: 'direct',
        blueSerialNo: request.params.serialNo,
        body: request.body,
        audit: auditMetaOf(request),
      });
      const settled = await waitForSettled(deps, invoice, request.query.wait ?? 0);
      return reply.status(settled ? 200 : 202).send((await toInvoiceView(db, settled ?? invoice)) as never);
    },
  );
};
