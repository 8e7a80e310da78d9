import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { toIsoCst } from '../../../platform/clock.js';
import { ctxOf, type Deps } from '../../../platform/deps.js';
import { AppError } from '../../../platform/errors/app-error.js';
import { IsoTime, responses } from '../../../platform/http/schemas.js';
import { withAudit } from '../../audit/index.js';
import { assertOrgAllowed, auditMetaOf, getAuth } from '../../auth/index.js';
import { getInvoiceOrThrow, getScopedInvoiceOrThrow } from '../../invoicing/index.js';
import { createDownloadUrl } from '../create-download-link.js';
import { DOCUMENT_FORMATS } from '../document-formats.js';
import { DOCUMENT_NOT_AVAILABLE } from '../documents.errors.js';
import { isIssuedInvoice } from '../documents.repo.js';
import { getInvoiceDocument } from '../get-document.js';
import { mergeInvoicePdfs, PRINT_MAX_INVOICES } from '../merge-print.js';
import { contentDisposition, FileReply, sendDocument } from './send-document.js';

const Format = Type.Union(DOCUMENT_FORMATS.map((f) => Type.Literal(f)));
const FileParams = Type.Object({ serialNo: Type.String({ minLength: 1, maxLength: 32 }), format: Format });
const LinksQuery = Type.Object({
  ttlSeconds: Type.Optional(
    Type.Integer({ minimum: 60, maximum: 366 * 86_400, description: '有效期（秒），默认 30 天' }),
  ),
});
const PrintBody = Type.Object(
  {
    serialNos: Type.Array(Type.String({ minLength: 1, maxLength: 32 }), {
      minItems: 1,
      maxItems: PRINT_MAX_INVOICES,
      uniqueItems: true,
      description: `已开具发票的流水号，按打印顺序，最多 ${PRINT_MAX_INVOICES} 张`,
    }),
    perPage: Type.Optional(
      Type.Union([Type.Literal(1), Type.Literal(2)], { description: '每张 A4 纸打印几张发票（默认 2）' }),
    ),
  },
  { additionalProperties: false },
);
/** Invoices whose PDFs are fetched (rendered first when needed) at once while merging. */
const PRINT_CONCURRENCY = 4;
const LinksReply = Type.Object({ pdf: Type.String(), ofd: Type.String(), xml: Type.String(), expiresAt: IsoTime });

/** Authenticated downloads of an issued invoice's files, and signed public links to them. */
export const documentsRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const common = { tags: ['documents'], security: [{ bearerAuth: [] }] };

  // A clerk's request about another seller org's invoice: 403 ORG_NOT_ASSIGNED.
  const issuedInvoice = async (request: FastifyRequest, serialNo: string) => {
    const invoice = await getScopedInvoiceOrThrow(deps, request, serialNo);
    if (!isIssuedInvoice(invoice)) throw new AppError(DOCUMENT_NOT_AVAILABLE, undefined, { status: invoice.status });
    return invoice;
  };

  app.get(
    '/api/v1/invoices/:serialNo/files/:format',
    {
      config: { permission: 'invoices.read' },
      schema: {
        ...common,
        summary: '下载版式文件 (download the invoice PDF, OFD or XML)',
        params: FileParams,
        response: responses({ 200: FileReply }, [401, 404, 409]),
      },
    },
    async (request, reply) => {
      const { tenantId } = getAuth(request);
      const invoice = await issuedInvoice(request, request.params.serialNo);
      const file = await getInvoiceDocument(deps, { tenantId, invoiceId: invoice.id, format: request.params.format });
      if (!file) throw new AppError(DOCUMENT_NOT_AVAILABLE);
      return sendDocument(request, reply, file, 'private, max-age=31536000, immutable');
    },
  );

  app.get(
    '/api/v1/invoices/:serialNo/links',
    {
      config: { permission: 'invoices.read' },
      schema: {
        ...common,
        summary: '生成公开下载链接 (signed, expiring public links to the files)',
        params: Type.Object({ serialNo: Type.String({ minLength: 1, maxLength: 32 }) }),
        querystring: LinksQuery,
        response: responses({ 200: LinksReply }, [401, 404, 409]),
      },
    },
    async (request) => {
      const invoice = await issuedInvoice(request, request.params.serialNo);
      const link = (format: (typeof DOCUMENT_FORMATS)[number]) =>
        createDownloadUrl(deps, { invoiceId: invoice.id, format, ttlSeconds: request.query.ttlSeconds });
      const pdf = link('pdf');
      return { pdf: pdf.url, ofd: link('ofd').url, xml: link('xml').url, expiresAt: toIsoCst(pdf.expiresAt) };
    },
  );

  app.post(
    '/api/v1/invoices/print',
    {
      config: { permission: 'invoices.read' },
      schema: {
        ...common,
        summary: '合并打印 (selected invoices as one A4 PDF, 1 or 2 per page)',
        description:
          '所选发票（须已开具）的 PDF 合并为一个 A4 PDF，每页 1 张或 2 张（上下半页），按所给顺序；记入审计日志（invoices.print）。',
        body: PrintBody,
        produces: ['application/pdf'],
        response: responses({ 200: FileReply }, [400, 401, 403, 404, 409]),
      },
    },
    async (request, reply) => {
      const { tenantId } = getAuth(request);
      const { serialNos, perPage = 2 } = request.body;
      // Check every invoice before rendering any: unknown (404), another org of a clerk (403), not issued (409).
      const invoices = [];
      for (const serialNo of serialNos) {
        const invoice = await getInvoiceOrThrow(deps, tenantId, serialNo);
        assertOrgAllowed(request, invoice.seller_tax_id);
        if (!isIssuedInvoice(invoice)) {
          throw new AppError(DOCUMENT_NOT_AVAILABLE, `发票 ${serialNo} 未开具，不能打印`, {
            serialNo,
            status: invoice.status,
          });
        }
        invoices.push(invoice);
      }
      const pdfs: Uint8Array[] = [];
      for (let i = 0; i < invoices.length; i += PRINT_CONCURRENCY) {
        const files = await Promise.all(
          invoices
            .slice(i, i + PRINT_CONCURRENCY)
            .map((invoice) => getInvoiceDocument(deps, { tenantId, invoiceId: invoice.id, format: 'pdf' })),
        );
        for (const file of files) {
          if (!file) throw new AppError(DOCUMENT_NOT_AVAILABLE);
          pdfs.push(file.bytes);
        }
      }
      const merged = await mergeInvoicePdfs(pdfs, perPage);
      await withAudit(
        ctxOf(deps),
        auditMetaOf(request),
        async () => null,
        () => ({
          action: 'invoices.print',
          target: { type: 'invoice_pool', id: 'print' },
          after: { perPage, count: serialNos.length, serialNos },
        }),
      );
      return reply
        .header('content-type', 'application/pdf')
        .header('cache-control', 'no-store')
        .header('x-content-type-options', 'nosniff')
        .header('content-disposition', contentDisposition('合并打印.pdf', false))
        .send(Buffer.from(merged));
    },
  );
};
