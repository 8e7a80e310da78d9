import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Deps } from '../../../platform/deps.js';
import { linesBodyLimit, PageQuery, page, responses } from '../../../platform/http/schemas.js';
import { INVOICE_KINDS } from '../../../tax/index.js';
import { assertOrgAllowed, getAuth, orgScope } from '../../auth/index.js';
import { createInvoice } from '../create-invoice.js';
import { listInvoices } from '../invoice-lists.repo.js';
import { INVOICE_STATUSES, type InvoiceStatus } from '../invoice-state-machine.js';
import { toInvoiceView } from '../invoice-view.js';
import { INVOICE_CSV_HEADER, invoiceCsvRow } from '../invoices-csv.js';
import { INVOICE_ORIGINS } from '../invoicing.tables.js';
import { cancelInvoice, getInvoiceOrThrow, patchFailedInvoice, retryInvoice } from '../manage-invoice.js';
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

export const ListInvoicesQuery = Type.Object({
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
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
  ...PageQuery,
});

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
          { tenantId, origin: 'direct', serialNo, data },
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
      const { cursor, limit, format, status, ...rest } = request.query;
      const scope = orgScope(request);
      if (scope && rest.sellerTaxId) assertOrgAllowed(request, rest.sellerTaxId.toUpperCase());
      const filters = {
        ...rest,
        ...(scope ? { sellerTaxIds: scope } : {}),
        ...(status
          ? {
              status: status
                .split(',')
                .filter((s): s is InvoiceStatus => (INVOICE_STATUSES as readonly string[]).includes(s)),
            }
          : {}),
      };
      if (format === 'csv') {
        const lines = [INVOICE_CSV_HEADER.join(',')];
        let next: string | undefined;
        for (let pageNo = 0; pageNo < 50; pageNo++) {
          const result = await listInvoices(db, tenantId, filters, { ...(next ? { cursor: next } : {}), limit: 200 });
          lines.push(...result.items.map(invoiceCsvRow));
          if (!result.nextCursor) break;
          next = result.nextCursor;
        }
        return reply
          .type('text/csv; charset=utf-8')
          .header(
            'content-disposition',
            `attachment; filename="invoices.csv"; filename*=UTF-8''${encodeURIComponent('发票.csv')}`,
          )
          .send(`\uFEFF${lines.join('\r\n')}\r\n`);
      }
      const result = await listInvoices(db, tenantId, filters, { ...(cursor ? { cursor } : {}), limit: limit ?? 50 });
      return { items: await Promise.all(result.items.map((i) => toInvoiceView(db, i))), nextCursor: result.nextCursor };
    },
  );

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
    async (request) =>
      toInvoiceView(db, await getInvoiceOrThrow(deps, getAuth(request).tenantId, request.params.serialNo)),
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
    async (request) =>
      toInvoiceView(
        db,
        await patchFailedInvoice(deps, {
          tenantId: getAuth(request).tenantId,
          serialNo: request.params.serialNo,
          patch: request.body,
        }),
      ),
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
      const invoice = await retryInvoice(deps, {
        tenantId: getAuth(request).tenantId,
        serialNo: request.params.serialNo,
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
    async (request) =>
      toInvoiceView(
        db,
        await cancelInvoice(deps, { tenantId: getAuth(request).tenantId, serialNo: request.params.serialNo }),
      ),
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
      const { invoice } = await requestRedInvoice(deps, {
        tenantId: getAuth(request).tenantId,
        origin: 'direct',
        blueSerialNo: request.params.serialNo,
        body: request.body,
      });
      const settled = await waitForSettled(deps, invoice, request.query.wait ?? 0);
      return reply.status(settled ? 200 : 202).send((await toInvoiceView(db, settled ?? invoice)) as never);
    },
  );
};
